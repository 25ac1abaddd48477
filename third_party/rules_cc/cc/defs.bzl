"""A local @rules_cc for Bazel 4.2.3: it re-exports the native cc rules.

Debian 12's bazel-rules-cc targets newer Bazel releases, so BUILD files load the
rules from here under the canonical label @rules_cc//cc:defs.bzl; moving to the
real rules_cc later is then a WORKSPACE change, not an edit of every BUILD file.
"""

def cc_library(**attrs):
    native.cc_library(**attrs)

def cc_binary(**attrs):
    native.cc_binary(**attrs)

def cc_test(**attrs):
    native.cc_test(**attrs)

def cc_import(**attrs):
    native.cc_import(**attrs)

def cc_proto_library(**attrs):
    native.cc_proto_library(**attrs)

def cc_toolchain(**attrs):
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**attrs)

def objc_library(**attrs):
    native.objc_library(**attrs)

def fdo_profile(**attrs):
    native.fdo_profile(**attrs)
