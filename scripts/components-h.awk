# Writes the C header of third_party/components.tsv (make runs it into
# $(BUILD)/gen/components.h): the libraries and helpers as an X-macro list,
# and RC_COMPONENT_<ID>_* strings for each of them.
BEGIN {
        FS = "\t"
        print "/* Generated from third_party/components.tsv by scripts/components-h.awk: do not edit. */"
        print "#ifndef RC_GEN_COMPONENTS_H"
        print "#define RC_GEN_COMPONENTS_H"
        print ""
}
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" (s == "-" ? "" : s) "\"" }
/^#/ || NF == 0 { next }
NF != 11 { printf "components.tsv:%d: %d fields, want 11\n", NR, NF > "/dev/stderr"; bad = 1; exit 1 }
$2 == "library" || $2 == "helper" {
        id = toupper($1)
        name = ($4 != "-") ? $4 : $6
        printf "#define RC_COMPONENT_%s_NAME %s\n", id, q(name)
        printf "#define RC_COMPONENT_%s_FILE %s\n", id, q($5)
        printf "#define RC_COMPONENT_%s_PACKAGE %s\n", id, q($6)
        printf "#define RC_COMPONENT_%s_MIN %s\n", id, q($8)
        list = list sprintf(" \\\n        X(%s, %s, %s, %s, %s, %s, %s, %s)", $1, q(name), q($2), q($3), q($5), q($6), q($8), q($10))
}
END {
        if (bad)
                exit 1
        print ""
        print "/* X(id, name, kind, link, file, package, min_version, license) */"
        print "#define RC_COMPONENTS(X)" list
        print ""
        print "#endif"
}
