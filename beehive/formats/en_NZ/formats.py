"""New Zealand English formats, for LANGUAGE_CODE "en-nz".

Django has no en_NZ locale, so without this module it falls back to "en", which is US
English: 03/04/2026 would be read as 4 March. Anything not set here still comes from "en".
The *_FORMAT strings use Django's date format syntax; *_INPUT_FORMATS use strftime's.
"""

# What the public pages already write by hand (templates/includes/date.html), so the admin
# and anything using the default formats agree with them: 3 April 2026.
DATE_FORMAT = "j F Y"  # '3 April 2026'
TIME_FORMAT = "g:i a"  # '2:30 p.m.'
DATETIME_FORMAT = "j F Y, g:i a"  # '3 April 2026, 2:30 p.m.'
YEAR_MONTH_FORMAT = "F Y"  # 'April 2026'
MONTH_DAY_FORMAT = "j F"  # '3 April'
SHORT_DATE_FORMAT = "d/m/Y"  # '03/04/2026'
SHORT_DATETIME_FORMAT = "d/m/Y g:i a"  # '03/04/2026 2:30 p.m.'
FIRST_DAY_OF_WEEK = 1  # Monday, in the admin's calendar

# Day first. ISO comes first: HTML date inputs send it, and the admin's date widgets and
# calendar write dates in the first format.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-04-03'
    "%d/%m/%Y",  # '03/04/2026'
    "%d/%m/%y",  # '03/04/26'
    "%d %B %Y",  # '3 April 2026'
    "%d %b %Y",  # '3 Apr 2026'
    "%d %B, %Y",  # '3 April, 2026'
    "%d %b, %Y",  # '3 Apr, 2026'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2026-04-03 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2026-04-03 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2026-04-03 14:30'
    "%d/%m/%Y %H:%M:%S",  # '03/04/2026 14:30:59'
    "%d/%m/%Y %H:%M:%S.%f",  # '03/04/2026 14:30:59.000200'
    "%d/%m/%Y %H:%M",  # '03/04/2026 14:30'
    "%d/%m/%y %H:%M:%S",  # '03/04/26 14:30:59'
    "%d/%m/%y %H:%M:%S.%f",  # '03/04/26 14:30:59.000200'
    "%d/%m/%y %H:%M",  # '03/04/26 14:30'
]
