"""Generate the SDK's models and resource classes from the manifest.

    python -m edm.client.codegen          rewrite src/edm/client/_generated.py
    python -m edm.client.codegen --check  exit 1 if that file is stale

Every resource of `edm.manifest.RESOURCES` becomes a pydantic model named
after its title (`Ticket`), a sync and an async resource class (`Tickets`,
`AsyncTickets`) with one method per operation and real keyword parameters,
and an attribute of its domain's namespace (`client.helpdesk.tickets`).

A nested resource (one with a `parent`) carries the parent's id as a
placeholder in its path (`/api/v1/helpdesk/tickets/{ticket_id}/comments`);
each placeholder becomes a leading positional argument of every method, and
the resource hangs off its parent's class
(`client.helpdesk.tickets.comments.list(ticket_id)`).

The emitted text is already in `ruff format` style, so the check compares
bytes without running a formatter.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import string
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edm.client._models import EDMModel
from edm.manifest import (
    BATCH_KINDS,
    RESOURCES,
    Field,
    FieldType,
    Operation,
    OperationKind,
    Resource,
)

GENERATED_PATH = Path(__file__).with_name("_generated.py")
LINE_LENGTH = 100

# Parameters every method of a kind has besides the manifest's fields.
CALL_PARAMS = ("extra_headers: Headers | None = None", "timeout: Timeout | NotGiven = NOT_GIVEN")
CALL_ARGS = ("extra_headers=extra_headers", "timeout=timeout")
IF_MATCH = "if_match: str | None = None"
IDEMPOTENCY_KEY = "idempotency_key: str | None = None"


class CodegenError(Exception):
    """The manifest cannot be turned into valid SDK code (e.g. a name clash)."""


@dataclass(frozen=True, slots=True)
class _View:
    """One resource and the names the SDK gives it."""

    res: Resource
    model: str
    cls: str
    parent: _View | None
    path_params: tuple[str, ...]

    def alias(self, suffix: str) -> str:
        return self.model + suffix


def render(resources: Sequence[Resource] = RESOURCES) -> str:
    """The text of `_generated.py` for `resources`."""
    views = _views(resources)
    blocks: list[str] = []
    for view in views:
        blocks.extend(_aliases(view))
        blocks.append(_model(view))
    # A parent's class refers to its children's, so children come first.
    for view in sorted(views, key=lambda v: -_depth(v.res)):
        children = [v for v in views if v.parent is view]
        blocks.append(_resource_class(view, children, is_async=False))
        blocks.append(_resource_class(view, children, is_async=True))
    domains = list(dict.fromkeys(view.res.domain for view in views))
    for is_async in (False, True):
        for domain in domains:
            members = [
                (v.res.name, v.cls, v.res.description)
                for v in views
                if v.res.domain == domain and v.parent is None
            ]
            blocks.append(
                _namespace(_pascal(domain), f"The {domain} domain.", members, is_async=is_async)
            )
        client = "edm.AsyncClient" if is_async else "edm.Client"
        members = [(d, _pascal(d), f"Resources of the {d} domain.") for d in domains]
        blocks.append(
            _namespace("Domains", f"The domains of `{client}`.", members, is_async=is_async)
        )
    body = "\n\n\n".join(blocks)
    return f"{_header(views, body)}\n\n\n{body}\n"


def _views(resources: Sequence[Resource]) -> list[_View]:
    views: dict[tuple[str, str], _View] = {}
    for res in _parents_first(resources):
        parent = None
        if res.parent is not None:
            parent = views[(res.parent.resource.domain, res.parent.resource.name)]
        model = _pascal(res.title)
        cls = _class_name(res) if parent is None else parent.model + _class_name(res)
        placeholders = tuple(name for _, name, _, _ in string.Formatter().parse(res.path) if name)
        views[(res.domain, res.name)] = _View(res, model, cls, parent, placeholders)
    ordered = [views[(res.domain, res.name)] for res in resources]
    _check_unique(
        [v.model for v in ordered]
        + [v.cls for v in ordered]
        + [name for v in ordered for name in _alias_names(v)],
        "module-level name",
    )
    return ordered


def _parents_first(resources: Sequence[Resource]) -> list[Resource]:
    keys = {(res.domain, res.name) for res in resources}
    for res in resources:
        parent = res.parent.resource if res.parent else None
        if parent is not None and (parent.domain, parent.name) not in keys:
            raise CodegenError(f"{res.name}: its parent {parent.name!r} is not generated")
    return sorted(resources, key=_depth)


def _depth(res: Resource) -> int:
    return 0 if res.parent is None else _depth(res.parent.resource) + 1


# Every import the generated code may need, by isort section; each name is
# imported when it occurs in the code outside strings.
_IMPORTS: tuple[tuple[tuple[str | None, tuple[str, ...]], ...], ...] = (
    (
        ("collections.abc", ("Mapping", "Sequence")),
        ("datetime", ("datetime",)),
        ("functools", ("cached_property",)),
        ("typing", ("Any", "Literal", "TypeAlias")),
    ),
    ((None, ("pydantic",)),),
    (
        ("edm.client._batch", ("BatchResults",)),
        ("edm.client._models", ("EDMModel", "Timestamp")),
        ("edm.client._pagination", ("AsyncPaginator", "SyncPage")),
        ("edm.client._requester", ("RequestOptions",)),
        (
            "edm.client._resource",
            ("AsyncNamespace", "AsyncResource", "SyncNamespace", "SyncResource"),
        ),
        ("edm.client._types", ("NOT_GIVEN", "Headers", "NotGiven", "Timeout")),
    ),
)


def _imports(body: str) -> list[str]:
    code = re.sub(r'"""[\s\S]*?"""|"[^"\n]*"', "", body)
    words = set(re.findall(r"\w+", code))
    lines: list[str] = []
    for section in _IMPORTS:
        section_lines: list[str] = []
        for module, names in section:
            used = [name for name in names if name in words]
            if module is None:
                section_lines.extend(f"import {name}" for name in used)
            elif used:
                section_lines.append(f"from {module} import {', '.join(used)}")
        if section_lines:
            lines.extend([*section_lines, ""])
    return lines


def _header(views: list[_View], body: str) -> str:
    exported = [name for v in views for name in (*_alias_names(v), v.model)]
    return "\n".join(
        [
            '"""Models and resource classes generated from `edm.manifest`.',
            "",
            "Do not edit: change the manifest and run `python -m edm.client.codegen`.",
            '"""',
            "",
            *_imports(body),
            "__all__ = [",
            *(f'    "{name}",' for name in sorted(exported)),
            "]",
        ]
    )


# -- types ---------------------------------------------------------------------------------------


def _has_choices(f: Field) -> bool:
    """An enum, or a list of values each chosen from an enum (its alias names one value)."""
    return f.type is FieldType.ENUM or (f.type is FieldType.TAGS and f.enum is not None)


def _alias_names(view: _View) -> list[str]:
    names = [view.alias(_pascal(f.name)) for f in view.res.fields if _has_choices(f)]
    if view.res.sortable_fields:
        names.append(view.alias("Order"))
    return names


def _aliases(view: _View) -> Iterator[str]:
    for f in view.res.fields:
        if _has_choices(f):
            yield _literal_alias(view.alias(_pascal(f.name)), f.enum or ())
    if view.res.sortable_fields:
        orders = [o for f in view.res.sortable_fields for o in (f.name, f"-{f.name}")]
        yield _literal_alias(view.alias("Order"), orders)


def _literal_alias(name: str, values: Sequence[str]) -> str:
    members = "".join(f"    {_py(v)},\n" for v in values)
    return f"{name}: TypeAlias = Literal[\n{members}]"


def _base_type(view: _View, f: Field, *, as_input: bool) -> str:
    """The Python type of one value of `f`, in a response or as an argument."""
    if f.type is FieldType.ENUM:
        return view.alias(_pascal(f.name))
    if _has_choices(f):
        item = view.alias(_pascal(f.name))
        return f"Sequence[{item}]" if as_input else f"list[{item}]"
    return {
        FieldType.BOOLEAN: "bool",
        FieldType.INTEGER: "int",
        FieldType.DATETIME: "datetime" if as_input else "Timestamp",
        FieldType.TAGS: "Sequence[str]" if as_input else "list[str]",
        FieldType.OBJECT: "Mapping[str, Any]" if as_input else "dict[str, Any]",
    }.get(f.type, "str")


def _nullable(type_: str, f: Field) -> str:
    return f"{type_} | None" if f.nullable else type_


def _optional(name: str, type_: str, *, nullable: bool = False) -> str:
    """A keyword parameter left out of the request unless given (`None` is sent as null)."""
    return f"{name}: {type_} | NotGiven{' | None' if nullable else ''} = NOT_GIVEN"


# -- models --------------------------------------------------------------------------------------


def _model(view: _View) -> str:
    reserved = set(dir(EDMModel))
    lines = [f"class {view.model}(EDMModel):", *_docstring(view.res.description, 4), ""]
    for f in (*view.res.fields, *view.res.revealed_fields):
        if f.name in reserved or keyword.iskeyword(f.name):
            raise CodegenError(f"{view.res.name}.{f.name}: the name is taken on {view.model}")
        lines.append(
            f"    {f.name}: {_nullable(_base_type(view, f, as_input=False), f)}" + _model_default(f)
        )
        lines.extend(_docstring(f.notes, 4))
        lines.append("")
    return "\n".join(lines[:-1])


def _model_default(f: Field) -> str:
    """Absent from a response: null for nullable fields, else the manifest's default.

    A revealed field (a new key's secret) is nullable: only one response has it.
    """
    if f.required:
        return ""
    if f.nullable:
        return " = None"
    if isinstance(f.default, list | dict):
        return f" = pydantic.Field(default_factory={type(f.default).__name__})"
    return "" if f.default is None else f" = {_py(f.default)}"


# -- resources -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Method:
    """One operation as a method: its parameters and the `RequestOptions.build` call."""

    op: Operation
    positional: list[str]
    keyword: list[str]
    returns: str
    build: list[str]  # arguments of `RequestOptions.build` after method, path and path params

    @property
    def is_list(self) -> bool:
        return self.op.kind is OperationKind.LIST

    @property
    def call(self) -> str:
        """The resource base's method that sends it and reads the answer."""
        if self.is_list:
            return "self._list"
        return "self._batch" if self.op.kind in BATCH_KINDS else "self._record"


def _resource_class(view: _View, children: list[_View], *, is_async: bool) -> str:
    prefix = "Async" if is_async else ""
    base = "AsyncResource" if is_async else "SyncResource"
    lines = [
        f"class {prefix}{view.cls}({base}[{view.model}]):",
        *_docstring(view.res.description, 4),
        "",
        f"    _model = {view.model}",
    ]
    methods = [_method(view, op) for op in view.res.operations]
    _check_unique([m.op.name for m in methods] + [c.res.name for c in children], view.cls)
    for child in children:
        lines.extend(_property(child.res.name, prefix + child.cls, child.res.description))
    for method in methods:
        lines.append("")
        lines.extend(_method_lines(view, method, is_async=is_async))
    return "\n".join(lines)


def _method(view: _View, op: Operation) -> _Method:
    res = view.res
    parents = [f"{name}: str" for name in view.path_params]
    if op.kind is OperationKind.LIST:
        params = _list_params(view)
        query = _dict_arg("query", [_param_name(p) for p in params])
        page = f"SyncPage[{view.model}]"
        return _Method(op, parents, params, page, [query, *_repeated_arg(view)])
    if op.kind in BATCH_KINDS:
        return _batch_method(view, op, parents)
    item = "id_or_number" if op.kind is OperationKind.GET and res.number else "id"
    positional = parents if op.kind is OperationKind.CREATE else [*parents, f"{item}: str"]
    if op.kind is OperationKind.GET:
        keyword_params = _include_deleted(res)
        build = [_dict_arg("query", [_param_name(p) for p in keyword_params])]
    elif op.kind is OperationKind.CREATE:
        keyword_params = [*_write_params(view, create=True), IDEMPOTENCY_KEY]
        build = [_body_arg(res), "idempotency_key=idempotency_key"]
    elif op.kind is OperationKind.UPDATE:
        keyword_params = [*_write_params(view, create=False), IF_MATCH]
        build = [_body_arg(res), "if_match=if_match"]
    elif op.kind is OperationKind.DELETE:
        keyword_params, build = [IF_MATCH], ["if_match=if_match"]
    else:
        keyword_params = [
            *(_optional(f.name, _base_type(view, f, as_input=True)) for f in op.fields),
            IF_MATCH,
            IDEMPOTENCY_KEY,
        ]
        build = ["if_match=if_match", "idempotency_key=idempotency_key"]
        if op.fields:
            build.insert(0, _dict_arg("body", [f.name for f in op.fields]))
    return _Method(op, positional, keyword_params, view.model, build)


def _batch_method(view: _View, op: Operation, parents: list[str]) -> _Method:
    """`batch_create(items, atomic=False, ...)`: items are create bodies, or for
    an update `{"id", "if_match", "changes"}` mappings."""
    flags = ["atomic"]
    if op.kind is OperationKind.BATCH_CREATE and op.preservable:
        flags.append("preserve_timestamps")
    keyword_params = [f"{flag}: bool = False" for flag in flags]
    build = [_dict_arg("body", ["items", *flags])]
    if op.method == "POST":
        keyword_params.append(IDEMPOTENCY_KEY)
        build.append("idempotency_key=idempotency_key")
    positional = [*parents, "items: Sequence[Mapping[str, Any]]"]
    return _Method(op, positional, keyword_params, f"BatchResults[{view.model}]", build)


def _list_params(view: _View) -> list[str]:
    res = view.res
    # A filter on the parent's id is implied by the path, so it is no parameter.
    params = [
        _filter_param(view, f)
        for f in res.filterable_fields
        if f.query_name not in view.path_params
    ]
    params += [_optional(computed.name, "bool") for computed in res.computed_filters]
    if res.searchable_fields:
        params.append(_optional("q", "str"))
    if res.sortable_fields:
        params.append(_optional("order", view.alias("Order")))
    params += [_optional("limit", "int"), _optional("cursor", "str"), *_include_deleted(res)]
    params += [
        _optional(f.range_param(bound), "datetime | str")
        for f in res.fields
        for bound in f.range_filters
    ]
    return params


def _filter_param(view: _View, f: Field) -> str:
    """One value or a sequence ("any of"); `None` matches a missing value."""
    if f.type is FieldType.BOOLEAN:
        return _optional(f.query_name, "bool", nullable=f.nullable)
    one = "str" if f.type is FieldType.TAGS else _base_type(view, f, as_input=True)
    return _optional(f.query_name, f"{one} | Sequence[{one}]", nullable=f.nullable)


def _include_deleted(res: Resource) -> list[str]:
    return [_optional("include_deleted", "bool")] if res.has_field("is_deleted") else []


def _repeated_arg(view: _View) -> list[str]:
    """Filters on tag lists are repeated (`tag=a&tag=b`: all must match), not comma-joined."""
    names = [_py(f.query_name) for f in view.res.filterable_fields if f.type is FieldType.TAGS]
    if not names:
        return []
    return [f"repeated=({', '.join(names)}{',' if len(names) == 1 else ''})"]


def _write_params(view: _View, *, create: bool) -> list[str]:
    required, optional = [], []
    for f in view.res.writable_fields:
        type_ = _base_type(view, f, as_input=True)
        if create and f.required and f.default is None:
            required.append(f"{f.name}: {_nullable(type_, f)}")
        else:
            optional.append(_optional(f.name, type_, nullable=f.nullable))
    return required + optional


def _body_arg(res: Resource) -> str:
    return _dict_arg("body", [f.name for f in res.writable_fields])


def _dict_arg(keyword_: str, names: list[str]) -> str:
    """`query={...}` mapping each wire name to the same-named parameter."""
    entries = "".join(f'{" " * 20}"{n}": {n},\n' for n in names)
    return f"{keyword_}={{\n{entries}{' ' * 16}}}" if names else f"{keyword_}={{}}"


def _param_name(param: str) -> str:
    return param.partition(":")[0]


def _method_lines(view: _View, method: _Method, *, is_async: bool) -> list[str]:
    op = method.op
    params = [*method.positional, "*", *method.keyword, *CALL_PARAMS]
    names = [_param_name(p) for p in params if p != "*"]
    _check_unique(["self", *names], f"{view.cls}.{op.name}")
    path = view.res.path + op.path_suffix
    placeholders = [*view.path_params, *(["id"] if "{id}" in op.path_suffix else [])]
    arguments = [_param_name(p) for p in method.positional][: len(placeholders)]
    path_params = ", ".join(f'"{k}": {v}' for k, v in zip(placeholders, arguments, strict=True))
    is_coroutine = is_async and not method.is_list
    returns = f"AsyncPaginator[{view.model}]" if is_async and method.is_list else method.returns
    call = ("await " if is_coroutine else "") + method.call
    doc = op.summary + (" Requires the admin role." if op.admin_only else "")
    return [
        f"    {'async def' if is_coroutine else 'def'} {op.name}(",
        "        self,",
        *(f"        {p}," for p in params),
        f"    ) -> {returns}:",
        *_docstring(doc, 8),
        f"        return {call}(",
        "            RequestOptions.build(",
        f'                "{op.method}",',
        f'                "{path}",',
        f"                {{{path_params}}},",
        *(f"                {arg}," for arg in [*method.build, *CALL_ARGS]),
        "            )",
        "        )",
    ]


def _property(name: str, cls: str, doc: str) -> list[str]:
    return [
        "",
        "    @cached_property",
        f"    def {name}(self) -> {cls}:",
        *_docstring(doc, 8),
        f"        return {cls}(self._requester)",
    ]


def _namespace(name: str, doc: str, members: list[tuple[str, str, str]], *, is_async: bool) -> str:
    """A class whose cached properties (attribute, class, doc) build the `members`."""
    prefix = "Async" if is_async else ""
    base = "AsyncNamespace" if is_async else "SyncNamespace"
    lines = [f"class {prefix}{name}({base}):", *_docstring(doc, 4)]
    for attribute, cls, member_doc in members:
        lines.extend(_property(attribute, prefix + cls, member_doc))
    return "\n".join(lines)


# -- text ----------------------------------------------------------------------------------------


def _docstring(text: str, indent: int) -> list[str]:
    pad = " " * indent
    body = text.replace("\\", "\\\\").replace('"', "'").strip()
    lines = textwrap.wrap(body, width=LINE_LENGTH - indent - 6) or [""]
    if len(lines) == 1:
        return [f'{pad}"""{lines[0]}"""']
    return [
        f'{pad}"""{lines[0]}',
        *(f"{pad}{line}" for line in lines[1:-1]),
        f'{pad}{lines[-1]}"""',
    ]


def _class_name(res: Resource) -> str:
    """`sla_policies` of "SLA Policy" -> `SLAPolicies`: acronyms as the title spells them."""
    acronyms = {word for word in res.title.split() if len(word) > 1 and word.isupper()}
    return "".join(
        word.upper() if word.upper() in acronyms else word.capitalize()
        for word in res.name.split("_")
    )


def _pascal(text: str) -> str:
    """`sla_policies` -> `SlaPolicies`, `SLA policy` -> `SLAPolicy`."""
    words = text.replace("_", " ").replace("-", " ").split()
    return "".join(word[:1].upper() + word[1:] for word in words)


def _py(value: Any) -> str:
    """A Python literal in ruff-format style (double-quoted strings)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _check_unique(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen or keyword.iskeyword(name):
            raise CodegenError(f"{where}: the name {name!r} is used twice or is a keyword")
        seen.add(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edm.client.codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    current = GENERATED_PATH.read_text(encoding="utf-8") if GENERATED_PATH.exists() else ""
    if args.check:
        if current != text:
            print(f"{GENERATED_PATH} is stale: run python -m edm.client.codegen", file=sys.stderr)
            return 1
        return 0
    if current != text:
        GENERATED_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {GENERATED_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
