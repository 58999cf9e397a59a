from svc.settings import settings

DEBUG = settings.environment != "production"
