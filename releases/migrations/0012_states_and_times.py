"""Withdrawn releases, and a release's last public update.

No row needs rewriting: an empty last_updated_at means "last updated when first
published", which for every imported release is its own date (published_at() in
importing/writing.py), so existing rows read correctly as they are (tests/test_migrations.py
checks it). Every
new column is nullable with no default, so SQLite adds it in place: a table rebuild would
drop the search triggers of migration 0006.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0011_mend_empty_and_bare_host_links'),
    ]

    operations = [
        migrations.AddField(
            model_name='release',
            name='last_updated_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When it was last updated in public. Empty until then: a release never updated was last updated when it was first published (see with_times()).', null=True, verbose_name='last updated'),
        ),
        migrations.AddField(
            model_name='release',
            name='withdrawal_reason',
            field=models.TextField(blank=True, editable=False, help_text="Shown on the release's page beside the date it was withdrawn.", null=True),
        ),
        migrations.AddField(
            model_name='release',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='withdrawn'),
        ),
        migrations.AlterField(
            model_name='release',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('withdrawn', 'Withdrawn')], default='draft', max_length=10),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(condition=models.Q(('last_updated_at__isnull', False)), fields=['last_updated_at'], name='release_last_updated_idx'),
        ),
    ]
