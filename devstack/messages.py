"""`python -m devstack.messages` (`make messages`): bring the catalogues in step with the code (D119).

Every `t("...")` sentence of `functions/curbside` and every support article (title, key words, answer) is a
catalogue message. This adds the new ones to each language's `.po` untranslated and drops those the code no
longer uses; `tests/unit/test_texts.py` then fails until a translator fills them in. The `.po` files are the
catalogues the functions read: nothing is compiled.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from curbside.domain.texts import DOMAIN, LANGUAGES, LOCALES_DIR

PACKAGE = LOCALES_DIR.parent
METHOD_MAP = [("**.py", "python"), ("knowledge/*.md", "curbside.domain.support_answers:extract_articles")]
KEYWORDS = {"t": None}
"""`t(msgid, **args)`: the first argument is the sentence."""


def template() -> Catalog:
    """The messages the code uses now, each with where it is used."""
    found = Catalog(domain=DOMAIN, project="Curbside")
    for filename, lineno, message, comments, _ in extract_from_dir(PACKAGE, method_map=METHOD_MAP, keywords=KEYWORDS):
        existing = found.get(message)
        if existing is not None:
            existing.locations.append((filename, lineno))
            continue
        flags = ("python-brace-format",) if "{" in message else ()
        found.add(message, locations=[(filename, lineno)], flags=flags, auto_comments=comments)
    return found


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def update() -> None:
    current = template()
    for lang in LANGUAGES[1:]:
        with po_path(lang).open("rb") as source:
            catalogue = read_po(source, locale=lang, domain=DOMAIN)
        catalogue.update(current, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with po_path(lang).open("wb") as out:
            write_po(out, catalogue, width=120, sort_by_file=True, include_lineno=False)
        missing = [m.id for m in catalogue if m.id and not m.string]
        print(f"{lang}: {len(catalogue)} messages, {len(missing)} to translate")


if __name__ == "__main__":
    update()
