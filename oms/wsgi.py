import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - configured by the line above

if not os.environ.get("SECRET_KEY") and not settings.DEBUG:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable")
