"""What staff do beyond plain editing. Admin classes stay thin and call these modules.

- states.py: publishing, unpublishing and withdrawing, and who may.
- times.py: times as staff read them, in New Zealand time with the zone.
- revisions.py: every change kept as a revision (django-reversion), restores, imports.
- diffs.py: two revisions compared, word by word and in plain sentences.
- corrections.py: public updates of live releases, with their notes.
"""
