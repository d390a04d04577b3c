"""Stand-ins for the outside world, each speaking the real protocol over HTTP.

Mounted in-process under ``/sim/`` by the embedded default (``make run``) and runnable
as separate processes (``motcua simulator <name> --port …``).
"""
