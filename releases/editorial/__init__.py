"""What staff do beyond plain editing. Admin classes stay thin and call these modules.

- states.py: publishing, unpublishing and withdrawing, and who may.
"""
