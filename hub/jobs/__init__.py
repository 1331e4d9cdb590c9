"""Slow work a person starts from a page (exports, imports) run as background jobs with a progress bar.

See `registry` for how an app offers a kind of job, `services.job_start` for starting one, and the README
("Jobs and exports").
"""
