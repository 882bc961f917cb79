"""Which environment variables the shared code reads, found in its source (AST), not listed by hand.

A read is a call of ``os.environ.get``, ``os.getenv``, ``os.environ[...]`` or of a function that passes
one of its parameters on to such a read (``config._env(name)``, ``value_or_secret(name, arn_name)``,
``consultation.config._int_env``: found by a fixpoint, so a new helper needs no list). The name read is
a string literal or a module constant (``MAX_DEACTIVATE_PERCENT_ENV``, also through an import). A read
whose name is computed at run time (the router's ``f"{group}_FUNCTION_NAME"``) is a *dynamic* read:
the tests list those on purpose. ``boto3.client("<service>")`` counts as a read of boto3's
``AWS_ENDPOINT_URL_<SERVICE_ID>``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import botocore.session

_ENV_CALLS = {("os", "environ", "get"), ("os", "getenv"), ("os", "environ", "setdefault")}


@dataclass
class EnvReads:
    """Variable name → where it is read; dynamic reads as ``module:function``."""

    names: dict[str, list[str]] = field(default_factory=dict)
    dynamic: set[str] = field(default_factory=set)
    boto3_services: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, where: str) -> None:
        self.names.setdefault(name, []).append(where)


@dataclass
class _Module:
    name: str
    path: Path
    tree: ast.Module
    constants: dict[str, str] = field(default_factory=dict)
    # local name → (module, attribute or None for "import module as name")
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _dotted(node: ast.AST) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return ()


def _load(package_dir: Path, package: str) -> dict[str, _Module]:
    modules: dict[str, _Module] = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        parts = [package, *rel.parts]
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        module = _Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for node in module.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                if isinstance(node.value.value, str):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            module.constants[target.id] = node.value.value
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    module.imports[alias.asname or alias.name.split(".")[0]] = (alias.name, None)
        modules[name] = module
    return modules


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _params(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = function.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


class _Scanner:
    def __init__(self, modules: dict[str, _Module]) -> None:
        self.modules = modules
        # (module, function name) → indexes of the parameters that are environment variable names
        self.readers: dict[tuple[str, str], set[int]] = {}

    def callee(self, module: _Module, func: ast.AST) -> tuple[str, str] | None:
        """The (module, function) a call goes to, when it is a function of the scanned package."""
        dotted = _dotted(func)
        if len(dotted) == 1:
            if dotted[0] in module.imports:
                source, attr = module.imports[dotted[0]]
                return (source, attr) if attr else None
            return module.name, dotted[0]
        if len(dotted) == 2 and dotted[0] in module.imports:
            source, attr = module.imports[dotted[0]]
            target = f"{source}.{attr}" if attr else source
            return target, dotted[1]
        return None

    def constant(self, module: _Module, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        dotted = _dotted(node)
        if len(dotted) == 1:
            if dotted[0] in module.constants:
                return module.constants[dotted[0]]
            if dotted[0] in module.imports:
                source, attr = module.imports[dotted[0]]
                if attr and source in self.modules:
                    return self.modules[source].constants.get(attr)
        if len(dotted) == 2 and dotted[0] in module.imports:
            source, attr = module.imports[dotted[0]]
            target = f"{source}.{attr}" if attr else source
            if target in self.modules:
                return self.modules[target].constants.get(dotted[1])
        return None

    def name_args(self, module: _Module, call: ast.Call) -> list[ast.AST] | None:
        """The arguments of ``call`` that are variable names, when it reads the environment."""
        dotted = _dotted(call.func)
        if dotted in _ENV_CALLS:
            return list[ast.AST](call.args[:1])
        target = self.callee(module, call.func)
        if target is not None and target in self.readers:
            return [call.args[i] for i in sorted(self.readers[target]) if i < len(call.args)]
        return None

    def find_readers(self) -> None:
        changed = True
        while changed:
            changed = False
            for module in self.modules.values():
                for function in _functions(module.tree):
                    params = _params(function)
                    found: set[int] = set()
                    for node in ast.walk(function):
                        if isinstance(node, ast.Subscript) and _dotted(node.value) == ("os", "environ"):
                            args: list[ast.AST] | None = [node.slice]
                        elif isinstance(node, ast.Call):
                            args = self.name_args(module, node)
                        else:
                            continue
                        for arg in args or []:
                            if isinstance(arg, ast.Name) and arg.id in params:
                                found.add(params.index(arg.id))
                    key = (module.name, function.name)
                    if found - self.readers.get(key, set()):
                        self.readers[key] = self.readers.get(key, set()) | found
                        changed = True

    def reads(self) -> EnvReads:
        result = EnvReads()
        for module in self.modules.values():
            for function in _functions(module.tree):
                params = set(_params(function))
                where = f"{module.name}:{function.name}"
                for node in ast.walk(function):
                    if isinstance(node, ast.Subscript) and _dotted(node.value) == ("os", "environ"):
                        args: list[ast.AST] | None = [node.slice]
                    elif isinstance(node, ast.Call):
                        args = self.name_args(module, node)
                        if _dotted(node.func)[-2:] in (("boto3", "client"), ("session", "client")):
                            service = self.constant(module, node.args[0]) if node.args else None
                            if service:
                                result.boto3_services.setdefault(service, []).append(where)
                    else:
                        continue
                    for arg in args or []:
                        name = self.constant(module, arg)
                        if name is not None:
                            result.add(name, where)
                        elif not (isinstance(arg, ast.Name) and arg.id in params):
                            result.dynamic.add(where)  # computed here, not passed on from a caller
        return result


def endpoint_variable(service: str) -> str:
    """boto3's endpoint variable of a service: ``secretsmanager`` → AWS_ENDPOINT_URL_SECRETS_MANAGER."""
    service_id = botocore.session.get_session().get_service_model(service).service_id
    return "AWS_ENDPOINT_URL_" + str(service_id).replace(" ", "_").replace("-", "_").upper()


def env_reads(package_dir: Path, package: str = "sinawai") -> EnvReads:
    scanner = _Scanner(_load(package_dir, package))
    scanner.find_readers()
    reads = scanner.reads()
    for service, where in reads.boto3_services.items():
        for place in where:
            reads.add(endpoint_variable(service), f"{place} (boto3 {service} client)")
    return reads
