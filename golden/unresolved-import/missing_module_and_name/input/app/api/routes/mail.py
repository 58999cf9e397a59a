import os
import requests_not_installed
from app.services.mailer import send_welcome_mail
from app.database import get_settings, get_db
from ...db import nowhere
