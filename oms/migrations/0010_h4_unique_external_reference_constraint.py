# Apart from 0005 so that the renames of its data step are committed before the
# unique index is built (PostgreSQL refuses ALTER TABLE with pending trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oms', '0009_h4_unique_external_reference'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(condition=models.Q(('external_reference', ''), _negated=True), fields=('channel', 'external_reference'), name='order_channel_external_reference_unique'),
        ),
    ]
