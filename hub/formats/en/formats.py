# The report's weekly chart puts a date under each of up to 13 weeks: Django's "F j"
# ("September 14") runs into its neighbours there, "Sep 14" does not. Every other format is
# Django's.
MONTH_DAY_FORMAT = "M j"
