"""``sinawai serve``: the whole bot on one server, without AWS (long polling, in-process handlers, timers,
S3 as a local directory). ``service`` is the server, ``schedules`` the template's schedules as timers,
``store`` its MySQL state, ``files`` the local-directory S3 endpoint."""
