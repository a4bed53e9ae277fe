"""What staff do beyond plain editing. Admin classes stay thin and call these modules.

- states.py: publishing, unpublishing and withdrawing, and who may.
- times.py: times as staff read them, in New Zealand time with the zone.
- preview.py: a release as its public page will show it, under a "not public" banner.
- sharing.py: share links, for people without an account, and the page they open.
- uploads.py: which attachment files are accepted (by their content), and who may download them.
- revisions.py: every change kept as a revision (django-reversion), restores, imports.
- diffs.py: two revisions compared, word by word and in plain sentences.
- corrections.py: public updates of live releases, with their notes.
- duplicates.py: when a release repeats another, the import's folding of copies, and undoing it.
"""
