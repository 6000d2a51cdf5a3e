import os

os.environ.setdefault("PLOOMBER_STATS_ENABLED", "false")
