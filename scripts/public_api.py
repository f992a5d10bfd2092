#!/usr/bin/env python3
"""Print the public API of the `keyward` crate, one sorted line per item, from rustdoc's JSON.

Usage: scripts/public_api.py target/doc/keyward.json > api/keyward.txt

Each line names an item by the path a user writes (`keyward::token::KeyError::TooManyKeys`),
with its kind and, for functions, its signature; trait implementations are listed by trait
name. Auto-trait and blanket implementations are left out: they follow from the types. See
scripts/public-api.sh, which builds the JSON and compares the list with the one committed.
"""

import json
import sys


def render_type(t):
    """A rustdoc JSON type as Rust source, closely enough to show any change."""
    if t is None:
        return "()"
    (kind, value), = t.items()
    if kind == "primitive":
        return value
    if kind == "generic":
        return value
    if kind == "resolved_path":
        return value["path"] + render_args(value.get("args"))
    if kind == "borrowed_ref":
        lifetime = value.get("lifetime")
        mutable = "mut " if value.get("is_mutable") else ""
        prefix = f"&{lifetime} " if lifetime else "&"
        return f"{prefix}{mutable}{render_type(value['type'])}"
    if kind == "slice":
        return f"[{render_type(value)}]"
    if kind == "array":
        return f"[{render_type(value['type'])}; {value['len']}]"
    if kind == "tuple":
        return "(" + ", ".join(render_type(item) for item in value) + ")"
    if kind == "impl_trait":
        return "impl " + " + ".join(render_bound(bound) for bound in value)
    if kind == "dyn_trait":
        traits = [
            trait["trait"]["path"] + render_args(trait["trait"].get("args"))
            for trait in value["traits"]
        ]
        if value.get("lifetime"):
            traits.append(value["lifetime"])
        return "dyn " + " + ".join(traits)
    if kind == "qualified_path":
        trait = value.get("trait")
        self_type = render_type(value["self_type"])
        if trait:
            return f"<{self_type} as {trait['path']}>::{value['name']}"
        return f"{self_type}::{value['name']}"
    if kind == "raw_pointer":
        return ("*mut " if value["is_mutable"] else "*const ") + render_type(value["type"])
    if kind == "function_pointer":
        return "fn(...)"
    return kind


def render_args(args):
    if not args:
        return ""
    if "angle_bracketed" in args:
        parts = []
        for arg in args["angle_bracketed"]["args"]:
            (kind, value), = arg.items()
            if kind == "type":
                parts.append(render_type(value))
            elif kind == "lifetime":
                parts.append(value)
            elif kind == "const":
                parts.append(str(value.get("expr", value)))
            else:
                parts.append("_")
        for constraint in args["angle_bracketed"].get("constraints", []):
            binding = constraint.get("binding", {})
            if "equality" in binding:
                parts.append(f"{constraint['name']} = {render_term(binding['equality'])}")
            else:
                parts.append(constraint["name"])
        return "<" + ", ".join(parts) + ">" if parts else ""
    if "parenthesized" in args:
        inputs = ", ".join(render_type(t) for t in args["parenthesized"]["inputs"])
        output = args["parenthesized"].get("output")
        return f"({inputs})" + (f" -> {render_type(output)}" if output else "")
    return ""


def render_term(term):
    if "type" in term:
        return render_type(term["type"])
    return str(term)


def render_bound(bound):
    if "trait_bound" in bound:
        trait = bound["trait_bound"]["trait"]
        modifier = "?" if bound["trait_bound"].get("modifier") == "maybe" else ""
        return modifier + trait["path"] + render_args(trait.get("args"))
    if "outlives" in bound:
        return bound["outlives"]
    return "?"


def render_generics(generics):
    params = []
    for param in generics.get("params", []):
        kind = param["kind"]
        if "type" in kind:
            if kind["type"].get("is_synthetic"):
                continue
            bounds = " + ".join(render_bound(b) for b in kind["type"].get("bounds", []))
            params.append(param["name"] + (f": {bounds}" if bounds else ""))
        elif "lifetime" in kind:
            params.append(param["name"])
        elif "const" in kind:
            params.append(f"const {param['name']}: {render_type(kind['const']['type'])}")
    return "<" + ", ".join(params) + ">" if params else ""


def render_fn(name, function):
    sig = function["sig"]
    header = function["header"]
    prefix = ("const " if header.get("is_const") else "") + (
        "async " if header.get("is_async") else ""
    )
    inputs = []
    for arg_name, arg_type in sig["inputs"]:
        if arg_name == "self":
            rendered = render_type(arg_type)
            inputs.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(
                rendered, f"self: {rendered}"))
        else:
            inputs.append(f"{arg_name}: {render_type(arg_type)}")
    output = sig.get("output")
    arrow = f" -> {render_type(output)}" if output else ""
    generics = render_generics(function["generics"])
    return f"{prefix}fn {name}{generics}({', '.join(inputs)}){arrow}"


class Api:
    def __init__(self, doc):
        self.index = doc["index"]
        self.lines = set()
        self.seen = set()

    def item(self, item_id):
        return self.index.get(str(item_id))

    def walk_module(self, module_id, path):
        module = self.item(module_id)
        children = [self.item(child_id) for child_id in module["inner"]["module"]["items"]]
        children = [c for c in children if c is not None and c.get("visibility") == "public"]
        # Items defined here first, then re-exports: an item re-exported in several places is
        # listed in full once, where it is first reached, and as a `pub use` elsewhere.
        children.sort(key=lambda child: "use" in child["inner"])
        for child in children:
            self.walk(child, path)

    def walk(self, item, path):
        (kind, inner), = item["inner"].items()
        if kind == "use":
            if inner.get("is_glob"):
                return
            target = self.item(inner["id"]) if inner.get("id") is not None else None
            if target is None:
                self.lines.add(f"pub use {path}::{inner['name']} = {inner['source']}")
                return
            if target["id"] in self.seen:
                self.lines.add(f"pub use {path}::{inner['name']}")
                return
            target = dict(target, name=inner["name"])
            self.walk(target, path)
            return
        name = item["name"]
        full = f"{path}::{name}"
        if item["id"] in self.seen:
            return
        self.seen.add(item["id"])
        if kind == "module":
            self.lines.add(f"pub mod {full}")
            self.walk_module(item["id"], full)
        elif kind == "struct":
            self.lines.add(f"pub struct {full}{render_generics(inner['generics'])}")
            shape = inner["kind"]
            fields = shape.get("plain", {}).get("fields", []) if isinstance(shape, dict) else []
            for field_id in fields:
                field = self.item(field_id)
                if field and field.get("visibility") == "public":
                    self.lines.add(
                        f"pub {full}::{field['name']}: {render_type(field['inner']['struct_field'])}"
                    )
            self.impls(inner["impls"], full)
        elif kind == "enum":
            self.lines.add(f"pub enum {full}{render_generics(inner['generics'])}")
            for variant_id in inner["variants"]:
                variant = self.item(variant_id)
                self.lines.add(f"pub {full}::{variant['name']}{self.variant_shape(variant)}")
            self.impls(inner["impls"], full)
        elif kind == "trait":
            self.lines.add(f"pub trait {full}")
            for member_id in inner["items"]:
                member = self.item(member_id)
                (member_kind, member_inner), = member["inner"].items()
                if member_kind == "function":
                    self.lines.add(f"{full}::{render_fn(member['name'], member_inner)}")
                else:
                    self.lines.add(f"{full}::{member_kind} {member['name']}")
        elif kind == "function":
            self.lines.add(f"pub {render_fn(full, inner)}")
        elif kind == "constant":
            self.lines.add(f"pub const {full}: {render_type(inner['type'])}")
        elif kind == "type_alias":
            self.lines.add(f"pub type {full} = {render_type(inner['type'])}")
        else:
            self.lines.add(f"pub {kind} {full}")

    def variant_shape(self, variant):
        shape = variant["inner"]["variant"]["kind"]
        if shape == "plain":
            return ""
        if "tuple" in shape:
            fields = [self.item(f) for f in shape["tuple"] if f is not None]
            return "(" + ", ".join(render_type(f["inner"]["struct_field"]) for f in fields) + ")"
        fields = [self.item(f) for f in shape["struct"]["fields"]]
        return " { " + ", ".join(
            f"{f['name']}: {render_type(f['inner']['struct_field'])}" for f in fields
        ) + " }"

    def impls(self, impl_ids, full):
        for impl_id in impl_ids:
            impl = self.item(impl_id)["inner"]["impl"]
            if impl.get("is_synthetic") or impl.get("blanket_impl") is not None:
                continue
            trait = impl.get("trait")
            if trait is not None:
                self.lines.add(f"impl {trait['path']}{render_args(trait.get('args'))} for {full}")
                continue
            for member_id in impl["items"]:
                member = self.item(member_id)
                if member.get("visibility") != "public":
                    continue
                (member_kind, member_inner), = member["inner"].items()
                if member_kind == "function":
                    self.lines.add(f"pub {full}::{render_fn(member['name'], member_inner)}")
                elif member_kind == "constant":
                    self.lines.add(
                        f"pub const {full}::{member['name']}: {render_type(member_inner['type'])}"
                    )


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        doc = json.load(file)
    api = Api(doc)
    root = api.item(doc["root"])
    api.walk_module(doc["root"], root["name"])
    for line in sorted(api.lines):
        print(line)


if __name__ == "__main__":
    main()
