from django.core.management.base import BaseCommand, CommandError

from oms.core.errors import DomainError
from oms.models import ApiScope
from oms.services.people import create_api_token


class Command(BaseCommand):
    help = (
        "Create the API token of an integration and print it. Without --scope nor --channel "
        "the token may do everything an integration may; an integration that has a token "
        "gets a new one only with --rotate, which revokes the old one."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The integration's name, e.g. erp or shopify.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=ApiScope.values,
            metavar="SCOPE",
            help=f"What the token may do (repeatable): {', '.join(ApiScope.values)}. Default: everything.",
        )
        parser.add_argument(
            "--channel",
            action="append",
            dest="channels",
            metavar="CODE",
            help="A channel whose orders the token sees, places and cancels (repeatable). Default: every channel.",
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the integration's token: the old one stops working at once. "
            "Keeps its scopes and channels unless --scope or --channel are given.",
        )

    def handle(self, *args, name: str, scopes, channels, rotate: bool, **options):
        try:
            key = create_api_token(name, scopes=scopes, channels=channels, rotate=rotate)
        except DomainError as refused:
            raise CommandError(str(refused)) from refused
        if rotate:
            self.stderr.write(f"The previous token of {name}, if any, is revoked.")
        # The key alone on stdout: TOKEN=$(manage.py create_api_token erp) keeps working.
        self.stdout.write(key)
