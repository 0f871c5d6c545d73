"""The surge simulator (issue 19): a day of a metro area under the production dispatch policy, a normal day
and a hail-storm day, for greedy, batched and oracle dispatch (`python -m bench.surge`; docs/benchmarks.md)."""
