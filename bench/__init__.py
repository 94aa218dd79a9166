"""Benchmarks (not tests): each module prints a table with ratios against helm measured in the
same run. `make bench` runs them all; `python -m bench.NAME` runs one."""
