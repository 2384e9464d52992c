# A small `argparse` for programs written for spark-submit: options (`--input_green PATH`, `--output=PATH`,
# `--flag` with action="store_true"), positionals, `type`, `default`, `required`, `dest`, `help`. The arguments come
# from `kindling run prog.py -- ARGS`, through sys.argv. Errors raise SystemExit with argparse's usage and message.
# `parse_known_args` hands back the arguments it does not know instead (an exported script's paths parser).
import sys

# What a program's own `import sys` binds (see the lowering): this module, whose argv holds the arguments.
_kindling_sys = sys


class Namespace:
    def __init__(self, **kwargs):
        for name in kwargs:
            setattr(self, name, kwargs[name])

    def __repr__(self):
        return "Namespace(" + ", ".join(name + "=" + repr(getattr(self, name)) for name in self._kindling_names) + ")"


class ArgumentParser:
    def __init__(self, prog=None, description=None, **kwargs):
        self.prog = prog if prog else sys.argv[0]
        self.description = description
        self._options = []
        self._positionals = []

    def add_argument(self, *names, **kwargs):
        if names[0].startswith("-"):
            long_names = [name for name in names if name.startswith("--")]
            dest = kwargs.get("dest") or (long_names[0] if long_names else names[0]).lstrip("-").replace("-", "_")
            self._options.append((names, dest, kwargs))
        else:
            self._positionals.append((kwargs.get("dest") or names[0], kwargs))

    def _usage(self):
        parts = []
        for names, dest, kwargs in self._options:
            shown = names[0] if kwargs.get("action") in ("store_true", "store_false") else names[0] + " " + dest.upper()
            parts.append(shown if kwargs.get("required") else "[" + shown + "]")
        parts.extend(dest for dest, kwargs in self._positionals)
        return "usage: " + self.prog + " [-h] " + " ".join(parts)

    def error(self, message):
        raise SystemExit(self._usage() + "\n" + self.prog + ": error: " + message)

    def _option(self, name):
        for option in self._options:
            if name in option[0]:
                return option
        return None

    def parse_args(self, args=None):
        return self._parse(args, False)[0]

    def parse_known_args(self, args=None):
        return self._parse(args, True)

    def _parse(self, args, known_only):
        args = sys.argv[1:] if args is None else list(args)
        extras = []
        values = {}
        for names, dest, kwargs in self._options:
            action = kwargs.get("action")
            values[dest] = kwargs.get("default", action == "store_false" if action else None)
        loose = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg in ("-h", "--help"):
                print(self._usage())
                raise SystemExit()
            if arg.startswith("-") and arg != "-":
                name, equals, value = arg.partition("=")
                option = self._option(name)
                if option is None and known_only:
                    extras.append(arg)
                    if not equals and i + 1 < len(args) and not args[i + 1].startswith("-"):
                        i += 1
                        extras.append(args[i])
                    i += 1
                    continue
                if option is None:
                    self.error("unrecognized arguments: " + arg)
                names, dest, kwargs = option
                action = kwargs.get("action")
                if action == "store_true" or action == "store_false":
                    values[dest] = action == "store_true"
                else:
                    if not equals:
                        i += 1
                        if i >= len(args):
                            self.error("argument " + "/".join(names) + ": expected one argument")
                        value = args[i]
                    values[dest] = _convert(self, names[0], value, kwargs.get("type"))
                    kwargs["_kindling_seen"] = True
            else:
                loose.append(arg)
            i += 1
        missing = [names[0] for names, dest, kwargs in self._options if kwargs.get("required") and values[dest] is None]
        missing.extend(dest for dest, kwargs in self._positionals[len(loose):])
        if missing:
            self.error("the following arguments are required: " + ", ".join(missing))
        if len(loose) > len(self._positionals):
            if not known_only:
                self.error("unrecognized arguments: " + " ".join(loose[len(self._positionals):]))
            extras.extend(loose[len(self._positionals):])
        for (dest, kwargs), value in zip(self._positionals, loose):
            values[dest] = _convert(self, dest, value, kwargs.get("type"))
        namespace = Namespace(**values)
        namespace._kindling_names = list(values)
        return namespace, extras


def _convert(parser, name, value, kind):
    if kind is None:
        return value
    try:
        return kind(value)
    except ValueError:
        parser.error("argument " + name + ": invalid " + kind.__name__ + " value: " + repr(value))


def _kindling_set_argv(argv):
    sys.argv[:] = argv

