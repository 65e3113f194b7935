"""tests/perf: the bench runs at a small size (no timing assertions); the Cloudsplaining comparison is a script."""

# a script run by hand (it installs Cloudsplaining in a throwaway venv): neither a test nor a doctest module
collect_ignore = ["compare_cloudsplaining.py"]
