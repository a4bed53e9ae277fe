"""Copies of a release (editorial/duplicates.py): a status "duplicate", the release each
repeats, and the fingerprint of its words the import compares; and an import run's count
of them.

Every column on releases_release is nullable with no default and without a database
constraint, so that SQLite adds and drops them with ALTER TABLE rather than rebuilding the
table, which would drop its search, tally and content-version triggers. A new status is
only a new choice: no database check. An existing database has its copies folded by its
next import (importing/pipeline.py calls duplicates.fingerprint_stored()).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0023_content_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='importrun',
            name='duplicates',
            field=models.PositiveIntegerField(default=0, help_text='Releases this run found to repeat another, kept in their place (status Duplicate).'),
        ),
        migrations.AddField(
            model_name='release',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, help_text='The release this one repeats, kept in its place.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='releases.release'),
        ),
        migrations.AddField(
            model_name='release',
            name='text_hash',
            field=models.CharField(blank=True, editable=False, help_text='Fingerprint of the title and body as imported (editorial/duplicates.py): releases sharing it, a day apart at most, are one release.', max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='release',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('withdrawn', 'Withdrawn'), ('duplicate', 'Duplicate')], default='draft', help_text='A draft is seen by staff only. Published goes live at the publish time.', max_length=10),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['text_hash'], name='release_text_hash_idx'),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['duplicate_of'], name='release_duplicate_of_idx'),
        ),
    ]
