# The site's date formats, one per context (the same four names in every language of hub/formats/):
# DATE_FORMAT for a day in prose, DATETIME_FORMAT for comment dates, SHORT_DATE_FORMAT in lists and tables,
# SHORT_DATETIME_FORMAT in the audit log and moderation tables. Anything not set here comes from Django's locale.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
