"""`make loadtest`: respondents answering and submitting against PostgreSQL and gunicorn on
loopback, with two faults (a PostgreSQL restart under load, a task worker killed inside an
import) and the exactly-once check. Run with ``python -m loadtest --help``."""
