"""What the local settings learn from the command that started Django."""


OPTIONS_WITH_A_VALUE = {"--settings", "--pythonpath", "-v", "--verbosity"}


def runserver_site_url(argv):
    """The http://host:port/ of `manage.py runserver [options] [addr:]port`, or None when the
    command is not runserver. runserver's own defaults: 127.0.0.1 and port 8000; a server
    listening on every address (0.0.0.0, ::) is reached on 127.0.0.1 from this machine."""
    if "runserver" not in argv[1:3]:
        return None
    rest = argv[argv.index("runserver") + 1:]
    positional, skip = [], False
    for arg in rest:  # the value of `--settings x` (or -v 2) is not the address
        if skip:
            skip = False
        elif arg in OPTIONS_WITH_A_VALUE:
            skip = True
        elif not arg.startswith("-"):
            positional.append(arg)
    addrport = positional[0] if positional else ""
    host, port = "127.0.0.1", "8000"
    if addrport.startswith("["):  # [::1]:8000
        address, _, after = addrport[1:].partition("]")
        host, port = f"[{address}]", after.lstrip(":") or port
    elif ":" in addrport:
        host, port = addrport.rsplit(":", 1)
    elif addrport:
        port = addrport
    if host in ("0.0.0.0", "0", "[::]", ""):
        host = "127.0.0.1"
    return f"http://{host}:{port}"
