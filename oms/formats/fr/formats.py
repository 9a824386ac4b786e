"""French: Django's own formats, with the short month ("1 déc. 2026, 20:43") for
the screens' dates and times."""

from django.conf.locale.fr.formats import *  # noqa: F403

DATE_FORMAT = "j N Y"  # "N": the abbreviated month as French writes it, "déc."
DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
