"""The local geocoder's table: the demo markets' suburbs (the seed's, `seed/geography.py`) with their real
postcodes and centres, and each state capital's centre (known places with no technicians: "out of area").

Shipped with the functions so the local stack and tests geocode without Google; production asks Google's
Geocoding API and falls back to this table when Google does not answer (`gateways.maps.GoogleGeocoder`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    name: str
    state: str
    postcode: str
    lat: float
    lng: float

    @property
    def label(self) -> str:
        return f"{self.name} {self.state} {self.postcode}"


PLACES: tuple[Place, ...] = (
    # Brisbane
    Place("Brisbane City", "QLD", "4000", -27.4698, 153.0251),
    Place("Fortitude Valley", "QLD", "4006", -27.4573, 153.0345),
    Place("Kelvin Grove", "QLD", "4059", -27.4480, 153.0130),
    Place("Paddington", "QLD", "4064", -27.4598, 152.9996),
    Place("Indooroopilly", "QLD", "4068", -27.4997, 152.9733),
    Place("Chermside", "QLD", "4032", -27.3854, 153.0308),
    Place("Kedron", "QLD", "4031", -27.4030, 153.0290),
    Place("Carindale", "QLD", "4152", -27.5040, 153.1010),
    Place("Mount Gravatt", "QLD", "4122", -27.5386, 153.0806),
    Place("Sunnybank", "QLD", "4109", -27.5800, 153.0600),
    Place("Stafford", "QLD", "4053", -27.4100, 153.0100),
    Place("Brisbane Airport", "QLD", "4008", -27.3942, 153.1218),
    # Sydney
    Place("Sydney", "NSW", "2000", -33.8732, 151.2061),
    Place("Surry Hills", "NSW", "2010", -33.8861, 151.2111),
    Place("Newtown", "NSW", "2042", -33.8978, 151.1794),
    Place("North Sydney", "NSW", "2060", -33.8390, 151.2070),
    Place("Chatswood", "NSW", "2067", -33.7969, 151.1803),
    Place("Bondi Junction", "NSW", "2022", -33.8915, 151.2480),
    Place("Randwick", "NSW", "2031", -33.9140, 151.2410),
    Place("Strathfield", "NSW", "2135", -33.8800, 151.0830),
    Place("Parramatta", "NSW", "2150", -33.8150, 151.0011),
    Place("Ryde", "NSW", "2112", -33.8150, 151.1030),
    Place("Bankstown", "NSW", "2200", -33.9170, 151.0350),
    Place("Hurstville", "NSW", "2220", -33.9670, 151.1020),
    Place("Blacktown", "NSW", "2148", -33.7710, 150.9060),
    Place("Mascot", "NSW", "2020", -33.9335, 151.1798),
    # Melbourne
    Place("Melbourne", "VIC", "3000", -37.8136, 144.9631),
    Place("Carlton", "VIC", "3053", -37.8001, 144.9671),
    Place("Fitzroy", "VIC", "3065", -37.7990, 144.9780),
    Place("Richmond", "VIC", "3121", -37.8200, 144.9980),
    Place("South Yarra", "VIC", "3141", -37.8400, 144.9920),
    Place("Brunswick", "VIC", "3056", -37.7670, 144.9600),
    Place("Moonee Ponds", "VIC", "3039", -37.7650, 144.9190),
    Place("Footscray", "VIC", "3011", -37.8005, 144.8990),
    Place("Preston", "VIC", "3072", -37.7420, 145.0000),
    Place("Camberwell", "VIC", "3124", -37.8360, 145.0700),
    Place("Box Hill", "VIC", "3128", -37.8190, 145.1220),
    Place("Glen Waverley", "VIC", "3150", -37.8780, 145.1650),
    Place("Dandenong", "VIC", "3175", -37.9870, 145.2150),
    Place("Melbourne Airport", "VIC", "3045", -37.6690, 144.8410),
    # Outside the demo markets
    Place("Adelaide", "SA", "5000", -34.9285, 138.6007),
    Place("Perth", "WA", "6000", -31.9523, 115.8613),
    Place("Hobart", "TAS", "7000", -42.8821, 147.3272),
    Place("Darwin", "NT", "0800", -12.4634, 130.8456),
    Place("Canberra", "ACT", "2600", -35.2809, 149.1300),
    Place("Cairns", "QLD", "4870", -16.9186, 145.7781),
)
