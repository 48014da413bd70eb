# Django's Japanese DATETIME_FORMAT runs the time into the date (「2026年11月30日9:01」);
# Japanese readers expect a space between them. Every other format is Django's.
DATETIME_FORMAT = "Y年n月j日 G:i"
