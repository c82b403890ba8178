#!/bin/sh
# embed.sh NAME FILE — print FILE as a C string constant `NAME` (used to embed
# db/schema.sql in the library, so the schema has exactly one source).
name=$1 file=$2
printf '/* Generated from %s by tools/embed.sh; do not edit. */\n' "$file"
printf 'static const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
printf '\t;\n'
