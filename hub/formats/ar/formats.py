# See hub/formats/en/formats.py for what each name is used for. The Arabic comma (U+060C) separates the time.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
