
import django.db.models.functions.comparison
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0025_keep_phone_links_and_mend_anchors'),
    ]

    operations = [
        migrations.CreateModel(
            name='Departure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('release_id', models.BigIntegerField(help_text='The id the release had.')),
                ('slug', models.SlugField(help_text='The slug it had when it left.', max_length=255)),
                ('reason', models.CharField(choices=[('withdrawn', 'Withdrawn'), ('unpublished', 'Unpublished (back to draft)'), ('deleted', 'Deleted'), ('rescheduled', 'Moved to a publish time still to come'), ('duplicate', 'Folded into another release as a duplicate')], max_length=12)),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name="release",
            index=models.Index(
                django.db.models.functions.comparison.Greatest("updated_at", "published_at"),
                name="release_modified_idx",
            ),
        ),
    ]
