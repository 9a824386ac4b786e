"""Customers' phones in E.164 (`+32470123456`), as capture now stores them with
phonenumbers: before, only French numbers were put in international form, so
`0032470123456` and `+32 470 12 34 56` are made one form here. A number that is
not valid is left as it was."""

from django.db import migrations


def phones_in_e164(apps, schema_editor):
    from oms.core.phones import normalise_phone

    customer_model = apps.get_model("oms", "Customer")
    for customer in customer_model.objects.exclude(phone="").only("pk", "phone").iterator():
        phone = normalise_phone(customer.phone)
        if phone and phone != customer.phone:
            customer_model.objects.filter(pk=customer.pk).update(phone=phone)


class Migration(migrations.Migration):
    dependencies = [("oms", "0004_h8_country_codes")]

    operations = [migrations.RunPython(phones_in_e164, migrations.RunPython.noop)]
