import os

TOKEN = _get_secret("TOKEN", project=os.environ["GCP_PROJECT"])
