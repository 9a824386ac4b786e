from django.core.management.base import BaseCommand

from oms.services.people import create_api_token


class Command(BaseCommand):
    help = "Create (or replace) the API token of an integration and print it."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The integration's name, e.g. erp or shopify.")

    def handle(self, *args, name: str, **options):
        self.stdout.write(create_api_token(name))
