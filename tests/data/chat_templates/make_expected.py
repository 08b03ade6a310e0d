#!/usr/bin/python3
"""Renders every chat template in ../shared/chat-templates with Python's
jinja2 configured exactly as Hugging Face transformers configures it
(transformers/utils/chat_template_utils.py: ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks, loopcontrols, the `generation` tag of its
AssistantTracker, tojson without ASCII escaping, raise_exception,
strftime_now) over the conversations in conversations.json, and writes
expected.json: one entry per template x conversation x add_generation_prompt
with the rendered text or the error message.

Run once with Debian's interpreter (python3-jinja2) and commit the result:
    /usr/bin/python3 tests/data/chat_templates/make_expected.py
The templates themselves are not copied: the tests read them from
../shared/chat-templates. `now` is fixed (NOW below) so strftime_now gives the
same text on every machine; the C++ tests pass the same instant.
"""
import datetime
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TEMPLATES = os.path.normpath(os.path.join(ROOT, "..", "shared", "chat-templates"))

# 2026-03-07 09:05:02 UTC, a Saturday: single-digit day/hour exercise %d/%-d padding.
NOW = datetime.datetime(2026, 3, 7, 9, 5, 2)
BOS = "<s>"
EOS = "</s>"


class AssistantTracker(Extension):
    """transformers' `{% generation %}...{% endgeneration %}` tag: outside
    assistant-mask tracking it renders its body unchanged."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


# Small templates of one feature each (whitespace control, scoping, loop
# variables, Python reprs, tojson, string methods, filters, Markup), rendered
# with the variables beside them.
FEATURES = [
 ("{% for x in xs %}\n  {{ x }}\n{% endfor %}\nend", {"xs": [1, 2]}),
 ("a  {%- if true %} b {% endif -%}  c\n", {}),
 ("{% set n = 1 %}{% for x in xs %}{% set n = n + x %}{{ n }},{% endfor %}{{ n }}", {"xs": [1, 2]}),
 ("{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}", {"xs": [1, 2, 3]}),
 ("{% for x in xs %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.previtem }}|{% endfor %}", {"xs": ["a", "b"]}),
 ("{{ xs }}{{ d }}{{ none }}{{ 1.5 }}{{ 10 / 4 }}{{ 7 // 2 }}{{ -7 % 3 }}{{ (1, 'a') }}", {"xs": ["it's", 'q"', 1], "d": {"k": [True, None]}}),
 ("{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ 'é\"\\n' | tojson }}", {"d": {"b": 1, "a": [1.0, "ü"], "c": {}}}),
 ("{{ s[1:] }}|{{ s[::-1] }}|{{ s[-2] }}|{{ s | length }}|{{ s.upper() }}|{{ s.title() }}", {"s": "héllo wörld"}),
 ("{{ '  x  '.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'xxhixx'.strip('x') }}|{{ 'ab'.startswith(('x', 'a')) }}", {}),
 ("{{ xs | selectattr('r', 'equalto', 'u') | map(attribute='c') | join(',') }}|{{ xs | map(attribute='r') | list }}|{{ xs | rejectattr('r', 'equalto', 'u') | list | length }}", {"xs": [{"r": "u", "c": 1}, {"r": "a", "c": 2}, {"r": "u", "c": 3}]}),
 ("{% macro f(a, b='B') %}[{{ a }}{{ b }}]{% endmacro %}{{ f(1) }}{{ f(2, b=3) }}", {}),
 ("{{ strftime_now('%d %b %Y %H:%M') }}", {}),
 ("{{ 'x' if false }}|{{ missing }}|{{ missing is defined }}|{{ d.k is defined }}|{{ d.get('z', 5) }}", {"d": {"k": 1}}),
 ("{{ '<a>'|safe + '<b>' }}|{{ 'a' ~ 1 ~ none }}|{{ [3,1,2]|sort }}|{{ {'b':1,'A':2}|dictsort }}", {}),
 ("{%- set d = {'x': 1, 2: 'y'} -%}\n{%- for k, v in d.items() -%}{{ k }}={{ v }};{%- endfor %}{{ d | items | list }}{{ d[2] }}{{ d | tojson }}", {}),
 ("{% set x %}  block {{ 1 }} {% endset %}[{{ x }}]{{ 'ab' * 2 }}{{ [1] + [2] }}", {}),
 ("{{ 'abc' | indent(2, first=true) }}|{{ 'a\\nb\\n\\nc' | indent }}|{{ ' t ' | trim }}|{{ 'x' | upper }}", {}),
]


def main():
    with open(os.path.join(HERE, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    env = make_env()
    cases = []
    names = sorted(n for n in os.listdir(TEMPLATES) if n.endswith(".jinja"))
    for name in names:
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
            source = f.read()
        try:
            template = env.from_string(source)
        except jinja2.exceptions.TemplateError as e:
            template, compile_error = None, str(e)
        for conv in conversations:
            for agp in (True, False):
                case = {"template": name, "conversation": conv["name"], "add_generation_prompt": agp}
                if template is None:
                    case["error"] = compile_error
                else:
                    try:
                        case["output"] = template.render(
                            messages=conv["messages"], tools=conv.get("tools"), documents=None,
                            add_generation_prompt=agp, bos_token=BOS, eos_token=EOS)
                    except Exception as e:  # TemplateError, and the template's own TypeErrors
                        case["error"] = str(e)
                        # raise_exception raises TemplateError itself; jinja2's own
                        # failures are subclasses (UndefinedError, ...) or TypeErrors.
                        case["raised"] = type(e) is jinja2.exceptions.TemplateError
                cases.append(case)
    features = []
    for source, variables in FEATURES:
        features.append({"source": source, "variables": variables,
                         "output": env.from_string(source).render(**variables)})
    out = {"generator": "Python jinja2 %s (transformers' settings)" % jinja2.__version__,
           "bos_token": BOS, "eos_token": EOS, "now": NOW.strftime("%Y-%m-%dT%H:%M:%S"),
           "templates": len(names), "cases": cases, "features": features}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    errors = sum(1 for c in cases if "error" in c)
    print("%d templates, %d cases, %d raise" % (len(names), len(cases), errors), file=sys.stderr)


if __name__ == "__main__":
    main()
