# The rate limit table now belongs to core (#25); the table itself stays.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("comments", "0020_moderator_mail_by_default"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimit")]
        ),
    ]
