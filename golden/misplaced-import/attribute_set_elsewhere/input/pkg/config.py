"""Test-run configuration; the plugin fills it in at start-up."""
db_url = None
