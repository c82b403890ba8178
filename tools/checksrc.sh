#!/bin/sh
# checksrc.sh — the house style check run by `make check`: functions that are
# unsafe or that hide errors are banned from the project's C sources.
status=0
banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)[[:space:]]*\('
for f in $(find src include tools tests -name '*.[ch]' | sort); do
	if grep -nE "$banned" "$f" | grep -v 'checksrc: allow'; then
		echo "checksrc: $f: banned function (use snprintf, tgpl_buf, strtol, ...)" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "checksrc: ok"
exit $status
