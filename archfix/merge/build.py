"""Plan and render the merge of several entry-point variants into one ``create_app(profile)`` module.

Statements are aligned variant by variant (longest common subsequence on their keys), so the merged
order keeps every variant's own order — middleware order is behaviour. A statement all variants share
runs unconditionally; an app-building statement only some have runs behind a feature flag whose
default is "on in the profiles that had it"; a definition only some have runs in its profiles and
whenever a flag that needs it is on. Imports move into the blocks that use them. Anything this model
cannot place with confidence raises :class:`MergeError`.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

import libcst as cst

from archfix.merge import arguments, loaders
from archfix.merge.model import ImportItem, MergeError, Stmt, Variant, code_of, dotted

RESERVED = {"os", "create_app", "PROFILES", "FEATURE_FLAGS", "_flag", "profile", "flags", "options"}

Atom = tuple[str, str]
"""("flag", NAME) or ("profile", name)."""


@dataclass
class Entry:
    """One statement of the merged sequence and the profiles that had it."""

    stmt: Stmt
    profiles: list[str]
    guard: frozenset[Atom] | None = None
    """None: unconditional."""
    flag: str | None = None
    versions: dict[str, Stmt] = field(default_factory=dict)
    """profile -> its own form of the statement (a registration may differ in argument values)."""
    variation: arguments.Variation | None = None
    branch_only: frozenset[str] = frozenset()
    """Names only the per-profile argument values use (imported inside their branch)."""


@dataclass
class Plan:
    """Everything the renderer needs."""

    variants: list[Variant]
    app_name: str
    before: list[Entry]
    after: list[Entry]
    imports: dict[ImportItem, list[str]]
    module_imports: list[ImportItem]
    block_imports: dict[ImportItem, list[Entry]]
    """Imports placed inside guarded blocks, with the entries that use them."""
    unused_imports: list[tuple[ImportItem, frozenset[Atom]]]
    common_kwargs: list[str]
    literal_kwargs: dict[str, dict[str, str]]
    """profile -> kwarg -> code (literal values, go to PROFILES)."""
    computed_kwargs: dict[str, dict[str, cst.BaseExpression]]
    """profile -> kwarg -> expression (non-literal values, computed in create_app)."""
    computed_imports: dict[str, list[ImportItem]]
    flags: dict[str, list[str]] = field(default_factory=dict)
    """flag -> profiles where it defaults to on."""
    flag_subjects: dict[str, list[str]] = field(default_factory=dict)
    future: list[str] = field(default_factory=list)
    loader: loaders.Loader | None = None
    """The one router loader replacing the variants' router loops, if they were unified."""
    notes: list[str] = field(default_factory=list)
    """What the merge left as it was, and why (added to the finding)."""


def _align(variants: list[Variant], part: str) -> list[Entry]:
    merged: list[Entry] = []
    for variant in variants:
        items: list[Stmt] = getattr(variant, part)
        a = [arguments.shape(e.stmt) for e in merged]
        b = [arguments.shape(s) for s in items]
        out: list[Entry] = []
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for e, s in zip(merged[i1:i2], items[j1:j2], strict=True):
                    e.profiles.append(variant.profile)
                    e.versions[variant.profile] = s
                out.extend(merged[i1:i2])
            else:
                out.extend(merged[i1:i2])
                out.extend(
                    Entry(s, [variant.profile], versions={variant.profile: s}) for s in items[j1:j2]
                )
        merged = out
    return merged


_SPLIT_1 = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")


def tokens(name: str) -> list[str]:
    """Lower-case words of a CamelCase or snake_case name."""
    spaced = _SPLIT_2.sub(r"\1_\2", _SPLIT_1.sub(r"\1_\2", name))
    words = [t.lower() for t in re.split(r"[^A-Za-z0-9]+", spaced) if t]
    out: list[str] = []
    for word in words:  # "GZip" -> "gzip", not "g", "zip"
        if out and len(out[-1]) == 1:
            out[-1] += word
        else:
            out.append(word)
    return out


_NOISE = {"middleware", "router", "routes", "route", "api", "app", "enable"}


def _subjects(stmt: Stmt) -> list[tuple[str, str]]:
    """(kind, name) of what an app statement registers: middleware classes, routers, endpoints."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(code_of(stmt.node))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            first = node.args[0]
            name = ast.unparse(first)
            if node.func.attr == "add_middleware":
                found.append(("middleware", name))
            elif node.func.attr in ("include_router", "mount"):
                base = name.split(".")[0] if name.endswith(".router") else name
                found.append(("router", base))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            found.append(("endpoint", node.name))
    return found


def _flag_name(stmt: Stmt, variant: Variant, settings_flags: list[str]) -> tuple[str, list[str]]:
    if loaders.HELPER in stmt.uses:
        return "ENABLE_ROUTERS", []
    subjects = _subjects(stmt)
    names: list[str] = []
    subjects = [
        (k, s)
        for k, s in subjects
        if k == "endpoint"
        or s.split(".")[0] not in stmt.binds
        or s.split(".")[0] in variant.nested_imports
    ]
    for kind, subject in subjects:
        last = subject.split(".")[-1]
        own = tokens(last) if kind == "endpoint" else [t for t in tokens(last) if t not in _NOISE]
        own = own or tokens(last)
        origin = variant.nested_imports.get(subject.split(".")[0], "")
        module_toks = set(tokens(origin.split(".")[-1])) if origin else set()
        chosen = None
        for flag in sorted(settings_flags, key=len, reverse=True):
            wanted = {t for t in tokens(flag) if t != "enable"}
            if wanted and wanted <= set(own) | module_toks:
                chosen = flag
                break
        names.append(chosen or "ENABLE_" + "_".join(own).upper())
    tree = ast.parse(code_of(stmt.node)).body[0]
    if len(set(names)) == 1:
        return names[0], [s for _, s in subjects]
    if isinstance(tree, (ast.For, ast.AsyncFor)) and isinstance(tree.iter, ast.Name):
        return "ENABLE_" + "_".join(tokens(tree.iter.id)).upper(), [s for _, s in subjects]
    if names:
        distinct = list(dict.fromkeys(names))
        if len(distinct) <= 3:
            joined = "_".join(n.removeprefix("ENABLE_") for n in distinct)
            return "ENABLE_" + joined, [s for _, s in subjects]
        return distinct[0], [s for _, s in subjects]
    bound = sorted(stmt.binds)
    base = bound[0] if bound else variant.profile + "_extras"
    return "ENABLE_" + "_".join(tokens(base)).upper(), []


def _assign_flags(
    entries: list[Entry], by_profile: dict[str, Variant], canonical: str, settings_flags: list[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    proposals: dict[str, list[Entry]] = {}
    subjects: dict[int, list[str]] = {}
    for e in entries:
        name, subj = _flag_name(e.stmt, by_profile[e.profiles[0]], settings_flags)
        proposals.setdefault(name, []).append(e)
        subjects[id(e)] = subj
    flags: dict[str, list[str]] = {}
    flag_subjects: dict[str, list[str]] = {}
    for name, group in proposals.items():
        sets: list[tuple[str, ...]] = []
        for e in group:
            key = tuple(e.profiles)
            if key not in sets:
                sets.append(key)
        sets.sort(key=lambda s: (canonical not in s, -len(s)))
        for index, profiles in enumerate(sets):
            final = name if index == 0 else f"{name}_{'_'.join(p.upper() for p in profiles)}"
            n = 2
            while final in flags and tuple(flags[final]) != profiles:
                final, n = f"{final}_{n}", n + 1
            flags[final] = list(profiles)
            for e in group:
                if tuple(e.profiles) == profiles:
                    e.flag = final
                    e.guard = frozenset({("flag", final)})
                    flag_subjects.setdefault(final, [])
                    for s in subjects[id(e)]:
                        if s not in flag_subjects[final]:
                            flag_subjects[final].append(s)
    return flags, flag_subjects


def _is_literal(expr: cst.BaseExpression) -> bool:
    try:
        ast.literal_eval(code_of(expr))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def plan(
    variants: list[Variant],
    app_names: list[str],
    settings_flags: list[str],
    required_routers: list[str] | None = None,
) -> Plan:
    """Decide where every statement and import goes; raise MergeError when unsure."""
    canonical = variants[0]
    profiles = [v.profile for v in variants]
    if len(set(app_names)) != 1:
        raise MergeError(f"the variants name their app differently: {sorted(set(app_names))}")
    app_name = app_names[0]
    for v in variants[1:]:
        if v.ctor.callee != canonical.ctor.callee:
            raise MergeError(
                f"{v.path_name} builds {v.ctor.callee}, {canonical.path_name} builds {canonical.ctor.callee}"
            )
        if v.ctor.positional != canonical.ctor.positional:
            raise MergeError(f"{v.path_name} passes different positional constructor arguments")
    # The variants' router loops become one loader (before imports are counted: it drops some).
    loader, note = loaders.unify(variants, app_name)
    if loader is not None:
        loader.required = list(dict.fromkeys(required_routers or []))
    # Imports: one binding per name across the family.
    imports: dict[ImportItem, list[str]] = {}
    bound_by: dict[str, ImportItem] = {}
    for v in variants:
        for item in v.imports:
            other = bound_by.get(item.bound)
            if other is not None and other != item:
                raise MergeError(
                    f"{item.bound!r} is imported differently ({other.code()} / {item.code()})"
                )
            bound_by[item.bound] = item
            imports.setdefault(item, [])
            if v.profile not in imports[item]:
                imports[item].append(v.profile)
    for v in variants:
        for stmt in [*v.before, *v.after]:
            allowed = {"os", "profile"} if loaders.HELPER in stmt.uses else {"os"}
            clash = (stmt.binds & RESERVED) | (stmt.uses & (RESERVED - allowed))
            if clash:
                raise MergeError(
                    f"{v.path_name} uses names the merged module needs: {sorted(clash)}"
                )
            if stmt.binds & set(bound_by):
                raise MergeError(
                    f"{v.path_name} rebinds imported names {sorted(stmt.binds & set(bound_by))}"
                )
    for item in imports:
        if item.bound in RESERVED - {"os"} or (item.bound == "os" and item.code() != "import os"):
            raise MergeError(f"{item.code()} clashes with a name the merged module needs")
    before, after = _align(variants, "before"), _align(variants, "after")
    entries = [*before, *after]
    for e in entries:
        if e.stmt.kind == "other" and len(e.profiles) != len(profiles):
            raise MergeError(
                f"module-level statement {code_of(e.stmt.node).strip()[:70]!r} runs only in "
                f"{', '.join(e.profiles)}: a side effect the merge cannot place"
            )
        if e.stmt.kind == "def" and set(e.stmt.binds) & {"app"} and app_name == "app":
            raise MergeError("a definition named like the app")
    by_profile = {v.profile: v for v in variants}
    flagged = [e for e in entries if e.stmt.kind == "app" and len(e.profiles) != len(profiles)]
    flags, flag_subjects = _assign_flags(flagged, by_profile, canonical.profile, settings_flags)
    # Registrations the variants make with different argument values: values picked per profile.
    taken = set(RESERVED) | set(bound_by)
    for v in variants:
        for stmt in [*v.before, *v.after]:
            taken |= stmt.binds | stmt.uses
    for e in entries:
        base = e.flag or _flag_name(e.stmt, by_profile[e.profiles[0]], settings_flags)[0]
        base = base.removeprefix("ENABLE_").lower()
        var = arguments.variation(e.versions, e.profiles, base, taken)
        if var is None:
            continue
        e.variation = var
        every = set().union(*[s.uses for s in e.versions.values()])
        e.branch_only = frozenset(set().union(*var.branch_uses) - var.common_uses)
        e.stmt = Stmt(
            e.stmt.key,
            e.stmt.node,
            e.stmt.kind,
            e.stmt.binds,
            frozenset(every),
            e.stmt.annotation_names,
        )
    # Constructor keywords.
    names = list(dict.fromkeys(k for v in variants for k in v.ctor.kwargs))
    common = [
        k
        for k in names
        if all(k in v.ctor.kwargs for v in variants)
        and len({v.ctor.kwarg_keys[k] for v in variants}) == 1
    ]
    literal: dict[str, dict[str, str]] = {p: {} for p in profiles}
    computed: dict[str, dict[str, cst.BaseExpression]] = {p: {} for p in profiles}
    for v in variants:
        for k, value in v.ctor.kwargs.items():
            if k in common:
                continue
            if _is_literal(value):
                literal[v.profile][k] = code_of(value)
            else:
                computed[v.profile][k] = value
    # Users of every binding: who needs a definition or an import to have run.
    binders: dict[str, list[Entry]] = {}
    for e in entries:
        for name in e.stmt.binds:
            binders.setdefault(name, []).append(e)
    users: dict[str, list[frozenset[Atom] | None]] = {}
    entry_users: dict[int, list[Entry]] = {}

    def add_use(name: str, guard: frozenset[Atom] | None) -> None:
        users.setdefault(name, []).append(guard)

    common_uses: set[str] = set()
    for k in common:
        common_uses |= _expr_uses(canonical.ctor.kwargs[k])
    for arg in _ctor_call(canonical).args:
        if arg.keyword is None:
            common_uses |= _expr_uses(arg.value)
    for p, values in computed.items():
        for value in values.values():
            for n in _expr_uses(value):
                add_use(n, frozenset({("profile", p)}))
    for n in common_uses:
        add_use(n, None)
    # A name the constructor reads must mean one thing: two definitions of ``lifespan`` (or of
    # ``settings``) would run one after the other in create_app(), and the last would win for
    # every profile.
    for name in sorted(users):
        if len({b.stmt.key for b in binders.get(name, [])}) > 1:
            raise MergeError(
                f"{name!r} is defined differently by the variants and given to the app's constructor"
            )
    # Definitions: guard = own profiles + the guards of everything that uses them (fixpoint).
    for e in entries:
        if e.stmt.kind == "def" and len(e.profiles) != len(profiles):
            e.guard = frozenset(("profile", p) for p in e.profiles)
    for e in entries:
        for name in e.stmt.uses:
            found = [b for b in binders.get(name, []) if b is not e]
            keys = {b.stmt.key for b in found}
            if len(keys) > 1:
                raise MergeError(f"{name!r} is defined differently by the variants and then used")
            if len(found) > 1:
                raise MergeError(f"{name!r} is defined at different places in the variants")
            for b in found:
                if b.stmt.kind != "def":
                    if b.guard is not None and b.guard != e.guard:
                        raise MergeError(
                            f"{name!r} is bound by a flagged block and used outside it"
                        )
                    continue
                entry_users.setdefault(id(b), []).append(e)
    changed = True
    while changed:
        changed = False
        for e in entries:
            if e.stmt.kind != "def" or e.guard is None:
                continue
            needs: list[frozenset[Atom] | None] = [u.guard for u in entry_users.get(id(e), [])]
            for name in e.stmt.binds:
                needs += users.get(name, [])
            if any(g is None for g in needs):
                e.guard, changed = None, True
                continue
            merged = e.guard.union(*[g for g in needs if g is not None])
            if merged != e.guard:
                e.guard, changed = merged, True
    # Imports: module level when every variant has them or anything unconditional uses them.
    module_imports: list[ImportItem] = []
    block_imports: dict[ImportItem, list[Entry]] = {}
    unused: list[tuple[ImportItem, frozenset[Atom]]] = []
    computed_imports: dict[str, list[ImportItem]] = {p: [] for p in profiles}
    annotation_names = {n for e in entries for n in e.stmt.annotation_names}
    for item, where in imports.items():
        name = item.bound
        entry_uses = [e for e in entries if name in e.stmt.uses and name not in e.branch_only]
        in_branches = any(name in e.branch_only for e in entries)
        ctor_profiles = [
            p
            for p, values in computed.items()
            if any(name in _expr_uses(v) for v in values.values())
        ]
        if (
            item.bound == "os"
            or len(where) == len(profiles)
            or name in common_uses
            or name in annotation_names
            or any(e.guard is None for e in entry_uses)
        ):
            module_imports.append(item)
        elif not entry_uses and not ctor_profiles:
            if in_branches:
                continue
            unused.append((item, frozenset(("profile", p) for p in where)))
        else:
            if entry_uses:
                block_imports[item] = entry_uses
            for p in ctor_profiles:
                computed_imports[p].append(item)
    future = list(dict.fromkeys(f for v in variants for f in v.future))
    return Plan(
        variants,
        app_name,
        before,
        after,
        imports,
        module_imports,
        block_imports,
        unused,
        common,
        literal,
        computed,
        computed_imports,
        flags,
        flag_subjects,
        future,
        loader,
        [f"router loops kept as they are: {note}"] if note else [],
    )


def _expr_uses(expr: cst.BaseExpression) -> set[str]:
    return {
        n.id
        for n in ast.walk(ast.parse(f"({code_of(expr)})", mode="eval"))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


# --- rendering ---------------------------------------------------------------------------------


def _import_lines(items: list[ImportItem]) -> list[str]:
    grouped: dict[str, list[ImportItem]] = {}
    lines: list[str] = []
    for item in items:
        if item.name is None:
            lines.append(item.code())
        else:
            if item.module not in grouped:
                lines.append(f"\0{item.module}")
            grouped.setdefault(item.module, []).append(item)
    out = []
    for line in lines:
        if line.startswith("\0"):
            module = line[1:]
            names = ", ".join(
                f"{i.name} as {i.asname}" if i.asname else str(i.name) for i in grouped[module]
            )
            out.append(f"from {module} import {names}")
        else:
            out.append(line)
    return out


def _condition(guard: frozenset[Atom]) -> str:
    profiles = sorted(v for k, v in guard if k == "profile")
    flags = sorted(v for k, v in guard if k == "flag")
    parts = []
    if len(profiles) == 1:
        parts.append(f"profile == {profiles[0]!r}")
    elif profiles:
        parts.append(f"profile in ({', '.join(repr(p) for p in profiles)})")
    parts += [f'flags["{f}"]' for f in flags]
    return " or ".join(parts)


def _strip_blank(stmt: cst.BaseStatement) -> cst.BaseStatement:
    lines = [ll for ll in stmt.leading_lines if ll.comment is not None]
    return stmt.with_changes(leading_lines=lines)


def _comment(text: str) -> cst.EmptyLine:
    return cst.EmptyLine(comment=cst.Comment(f"# {text}"))


def _blocks(plan: Plan, entries: list[Entry]) -> list[cst.BaseStatement]:
    out: list[cst.BaseStatement] = []
    groups: list[list[Entry]] = []
    for e in entries:
        if groups and groups[-1][0].guard == e.guard:
            groups[-1].append(e)
        else:
            groups.append([e])
    file_of = {v.profile: v.path_name for v in plan.variants}
    for group in groups:
        guard = group[0].guard
        if guard is None:
            for e in group:
                out.extend(_nodes(plan, e))
            continue
        needed = [i for i, users in plan.block_imports.items() if any(u in group for u in users)]
        body: list[cst.BaseStatement] = [
            cst.parse_statement(line) for line in _import_lines(needed)
        ]
        for i, e in enumerate(group):
            nodes = _nodes(plan, e)
            if i == 0 and not needed:
                nodes[0] = _strip_blank(nodes[0])
            body.extend(nodes)
        profiles = list(dict.fromkeys(p for e in group for p in e.profiles))
        note = "from " + ", ".join(file_of[p] for p in profiles)
        out.append(
            cst.If(
                test=cst.parse_expression(_condition(guard)),
                body=cst.IndentedBlock(body=body),
                leading_lines=[cst.EmptyLine(), _comment(note)],
            )
        )
    return out


def _nodes(plan: Plan, e: Entry) -> list[cst.BaseStatement]:
    """The statement, or for a registration whose arguments differ: the per-profile values and it."""
    if e.variation is None:
        return [e.stmt.node]
    by_name = {item.bound: item for item in plan.imports}
    imports = [
        _import_lines(
            [
                by_name[n]
                for n in sorted(uses & e.branch_only)
                if n in by_name and by_name[n] not in plan.module_imports
            ]
        )
        for uses in e.variation.branch_uses
    ]
    return arguments.render(e.variation, e.stmt, imports)


def _docstring(plan: Plan) -> str:
    canonical = plan.variants[0]
    first = (canonical.docstring or "Application entry point.").strip().splitlines()[0]
    width = max(len(p) for p in [v.profile for v in plan.variants]) + 2
    lines = [
        first,
        "",
        "One entry point for every deployment profile (merged by archfix merge-entrypoints from",
        ", ".join(v.path_name for v in plan.variants) + ").",
        "",
        "Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):",
    ]
    for i, v in enumerate(plan.variants):
        suffix = f"default; was {v.path_name}" if i == 0 else f"was {v.path_name}"
        lines.append(f"    {v.profile.ljust(width)}{suffix}")
    if plan.flags:
        lines += [
            "",
            "Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):",
        ]
        fwidth = max(len(f) for f in plan.flags) + 2
        for flag, profiles in plan.flags.items():
            lines.append(f"    {flag.ljust(fwidth)}on in: {', '.join(profiles)}")
    lines.append("")
    return '"""' + "\n".join(lines) + '"""'


def render(plan: Plan, line_length: int = 88) -> str:
    """The merged canonical module's text, formatted by black at the project's line length."""
    canonical = plan.variants[0]
    ctor_class = canonical.ctor.callee
    body: list[cst.BaseStatement] = []
    for item, guard in plan.unused_imports:
        body.append(
            cst.If(
                test=cst.parse_expression(_condition(guard)),
                body=cst.IndentedBlock(body=[cst.parse_statement(item.code())]),
                leading_lines=[_comment("imported for its side effects by these profiles")],
            )
        )
    body += _blocks(plan, plan.before)
    body += _ctor_statements(plan)
    body += _blocks(plan, plan.after)
    plain = body
    body = _profile_module_names(plan, body)
    head: list[str] = [_docstring(plan), ""]
    if plan.future:
        head += [f"from __future__ import {', '.join(plan.future)}", ""]
    mod_imports = list(plan.module_imports)
    stdlib = ["os", *(["importlib", "logging"] if plan.loader else [])]
    for name in reversed(stdlib):
        if ImportItem(name, None, None) not in mod_imports:
            mod_imports.insert(0, ImportItem(name, None, None))
    head += _import_lines(mod_imports)
    profiles_lines = ["PROFILES: dict[str, dict[str, object]] = {"]
    for v in plan.variants:
        values = plan.literal_kwargs[v.profile]
        inner = ", ".join(f"{k!r}: {code}" for k, code in values.items())
        profiles_lines.append(f"    {v.profile!r}: {{{inner}}},")
    profiles_lines.append("}")
    head += [
        "",
        "# Constructor arguments that differ between profiles.",
        *profiles_lines,
        "",
        *(
            [
                "# The entry module each profile was: its code reads that as `__name__`.",
                "PROFILE_MODULES: dict[str, str] = {",
                *[
                    f"    {v.profile!r}: {'__name__' if i == 0 else repr(v.module)},"
                    for i, v in enumerate(plan.variants)
                ],
                "}",
                "",
            ]
            if body is not plain
            else []
        ),
        "# Feature flag -> the profiles it is on in by default.",
        "FEATURE_FLAGS: dict[str, tuple[str, ...]] = {",
        *[
            f"    {flag!r}: ({', '.join(repr(p) for p in profiles)}{',' if len(profiles) == 1 else ''}),"
            for flag, profiles in plan.flags.items()
        ],
        "}",
        "",
        *(loaders.render(plan.loader, ctor_class) if plan.loader else [""]),
        "",
        "def _flag(name: str, profile: str) -> bool:",
        '    """ENABLE_<FEATURE>=true|false in the environment wins over the profile default."""',
        "    value = os.environ.get(name, '').strip().lower()",
        "    if not value:",
        "        return profile in FEATURE_FLAGS[name]",
        "    return value in ('1', 'true', 'yes', 'on')",
        "",
        "",
        f"def create_app(profile: str | None = None) -> {ctor_class}:",
        f'    """Build the app for ``profile`` (default: $APP_PROFILE, else {canonical.profile!r})."""',
        f"    profile = profile or os.environ.get('APP_PROFILE') or {canonical.profile!r}",
        "    if profile not in PROFILES:",
        "        raise ValueError(f'unknown profile {profile!r}; expected one of {sorted(PROFILES)}')",
        "    flags = {name: _flag(name, profile) for name in FEATURE_FLAGS}",
        "    pass  # body",
        f"    return {plan.app_name}",
        "",
        "",
        "def __getattr__(name: str) -> object:",
        f'    """Build the default ``{plan.app_name}`` on first use (``uvicorn module:{plan.app_name}``), so that',
        "    importing ``create_app`` for another profile never imports the default profile's modules.",
        '    """',
        f"    if name == {plan.app_name!r}:",
        f"        value = globals()[{plan.app_name!r}] = create_app()",
        "        return value",
        "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')",
        "",
    ]
    module = cst.parse_module("\n".join(head))
    new_body = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "create_app":
            assert isinstance(stmt.body, cst.IndentedBlock)
            inner = list(stmt.body.body)
            at = next(i for i, s in enumerate(inner) if code_of(s).strip().startswith("pass"))
            stmt = stmt.with_changes(
                body=stmt.body.with_changes(body=[*inner[:at], *body, *inner[at + 1 :]])
            )
        new_body.append(stmt)
    code = module.with_changes(body=new_body).code
    import black  # imported on use: only a merge renders code

    return black.format_str(code, mode=black.Mode(line_length=line_length))


PROFILE_MODULE = "_profile_module"
"""create_app()'s local holding the module name of the profile's variant."""


class _ModuleNames(cst.CSTTransformer):
    """``__name__`` read in moved code becomes :data:`PROFILE_MODULE` (attributes stay)."""

    def __init__(self) -> None:
        self.count = 0

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False  # ``x.__name__`` is another object's name: only the value is visited

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return updated_node.with_changes(value=original_node.value.visit(self))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node.value != "__name__":
            return updated_node
        self.count += 1
        return cst.Name(PROFILE_MODULE)


def _profile_module_names(plan: Plan, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Keep ``__name__`` what it was in each variant (a logger's name, most often): in the
    merged module it would be the canonical module's for every profile. A module-level map gives
    each profile its variant's module name; create_app() reads it into a local."""
    if len({v.module for v in plan.variants}) < 2:
        return body
    renamer = _ModuleNames()
    renamed = [stmt.visit(renamer) for stmt in body]
    if not renamer.count:
        return body
    if any(PROFILE_MODULE in code_of(stmt) for stmt in body):
        raise MergeError(f"the variants use the name {PROFILE_MODULE!r}, which the merge needs")
    pick = cst.parse_statement(f"{PROFILE_MODULE} = PROFILE_MODULES[profile]").with_changes(
        leading_lines=[_comment("`__name__` as it was in this profile's entry module.")]
    )
    return [pick, *renamed]  # type: ignore[list-item]


def _ctor_statements(plan: Plan) -> list[cst.BaseStatement]:
    canonical = plan.variants[0]
    call_args = [
        a
        for a in _ctor_call(canonical).args
        if a.keyword is None or a.keyword.value in plan.common_kwargs
    ]
    computed = {p: v for p, v in plan.computed_kwargs.items() if v}
    out: list[cst.BaseStatement] = []
    file_of = {v.profile: v.path_name for v in plan.variants}
    if computed:
        out.append(
            cst.parse_statement(
                "options: dict[str, object] = dict(PROFILES[profile])"
            ).with_changes(
                leading_lines=[cst.EmptyLine(), _comment("Constructor arguments of this profile.")]
            )
        )
        for p, values in computed.items():
            body: list[cst.BaseStatement] = [
                cst.parse_statement(line) for line in _import_lines(plan.computed_imports[p])
            ]
            for k, value in values.items():
                body.append(
                    cst.SimpleStatementLine(
                        body=[
                            cst.Assign(
                                targets=[
                                    cst.AssignTarget(
                                        cst.Subscript(
                                            cst.Name("options"),
                                            [
                                                cst.SubscriptElement(
                                                    cst.Index(cst.SimpleString(repr(k)))
                                                )
                                            ],
                                        )
                                    )
                                ],
                                value=value.deep_clone(),
                            )
                        ]
                    )
                )
            out.append(
                cst.If(
                    test=cst.parse_expression(f"profile == {p!r}"),
                    body=cst.IndentedBlock(body=body),
                    leading_lines=[_comment(f"from {file_of[p]}")],
                )
            )
        spread = "options"
    elif any(plan.literal_kwargs.values()):
        spread = "PROFILES[profile]"
    else:
        return [canonical.ctor.node]
    call = _ctor_call(canonical).with_changes(
        args=[
            *[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in call_args],
            cst.Arg(cst.parse_expression(spread), star="**"),
        ]
    )
    stmt = canonical.ctor.node
    small = stmt.body[0]
    out.append(
        stmt.with_changes(body=[small.with_changes(value=call)], leading_lines=stmt.leading_lines)
    )
    return out


def _ctor_call(variant: Variant) -> cst.Call:
    small = variant.ctor.node.body[0]
    value = small.value  # type: ignore[union-attr]
    assert isinstance(value, cst.Call)
    return value


def shim(variant: Variant, canonical_module: str, app_name: str) -> str:
    """A variant module reduced to importing its profile from the merged module."""
    first = (variant.docstring or f"The {variant.profile} entry point.").strip().splitlines()[0]
    module_path = f"{variant.module}:{app_name}"
    return (
        f'"""{first}\n\n'
        f"Kept so that `uvicorn {module_path}` still works: the app is built by\n"
        f'{canonical_module}.create_app("{variant.profile}") (see that module for the flags).\n"""\n\n'
        f"from {canonical_module} import create_app\n\n"
        f'{app_name} = create_app("{variant.profile}")\n'
    )


__all__ = ["MergeError", "Plan", "dotted", "plan", "render", "shim", "tokens"]
