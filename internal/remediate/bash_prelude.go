package remediate

// bashPrelude is the part of every script that does the work: the fixes
// below it only call these functions with quoted arguments. It must stay
// shellcheck-clean, run on bash 4.2 (CentOS 7: no empty-array expansion
// under set -u, no bash 4.4+ features) and need nothing beyond coreutils,
// awk and sed, which every distro's minimal install has.
const bashPrelude = `umask 022
ROOT=${ROOT:-}
DRY_RUN=${DRY_RUN:-0}
while [[ $ROOT == */ ]]; do ROOT=${ROOT%/}; done
GOLIVE_CHANGED=0
GOLIVE_TMP=""
GOLIVE_PATH=""
GOLIVE_PATH_LINK=0
GOLIVE_OS_ID=""
GOLIVE_OS_ID_LIKE=""
GOLIVE_OS_VERSION_ID=""
GOLIVE_SKIPPED=()
declare -A GOLIVE_CREATED=()
GOLIVE_MANUAL=()
GOLIVE_REBOOT=()
trap 'if [[ -n $GOLIVE_TMP ]]; then rm -f -- "$GOLIVE_TMP"; fi' EXIT

golive_say() { printf 'golive: %s\n' "$*"; }
golive_die() {
	printf 'golive: %s\n' "$*" >&2
	exit 1
}
golive_dry() { [[ $DRY_RUN == 1 ]]; }

case $DRY_RUN in
0 | 1) ;;
*) golive_die "DRY_RUN must be 0 or 1, not $(printf %q "$DRY_RUN")" ;;
esac
if [[ -n $ROOT && ! -d $ROOT ]]; then
	golive_die "ROOT=$(printf %q "$ROOT") is not a directory"
fi

# golive_run ARGV...: runs a command, or prints it under DRY_RUN.
golive_run() {
	if golive_dry; then
		printf 'golive: DRY_RUN:'
		printf ' %q' "$@"
		printf '\n'
		return 0
	fi
	"$@"
}

# golive_runtime ARGV...: a command that changes the running system. Under
# ROOT there is no running system to change (a mounted image), so it is
# listed for the booted system instead.
golive_runtime() {
	local cmd item
	if [[ -n $ROOT ]]; then
		cmd=$(printf '%q ' "$@")
		cmd=${cmd% }
		golive_say "skipped under ROOT: run on the booted system: $cmd"
		for item in ${GOLIVE_SKIPPED[@]+"${GOLIVE_SKIPPED[@]}"}; do
			if [[ $item == "$cmd" ]]; then return 0; fi
		done
		GOLIVE_SKIPPED+=("$cmd")
		return 0
	fi
	golive_run "$@"
}

# golive_path PATH: sets GOLIVE_PATH to ROOT/PATH with every symlink
# resolved inside ROOT, as the booted image will see it: an absolute link
# in an image points into the image, never at the machine running this
# script, and ".." stops at ROOT. GOLIVE_PATH_LINK is 1 when PATH itself
# is a symlink.
golive_path() {
	local rest=${1#/} done="" comp target hops=0
	GOLIVE_PATH_LINK=0
	while [[ -n $rest ]]; do
		comp=${rest%%/*}
		if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
		case $comp in
		"" | .) continue ;;
		..)
			done=${done%/*}
			continue
			;;
		esac
		if [[ -L $ROOT$done/$comp ]]; then
			hops=$((hops + 1))
			if ((hops > 40)); then golive_die "too many levels of symlinks in $1"; fi
			target=$(readlink -- "$ROOT$done/$comp")
			if [[ $target == /* ]]; then done=""; fi
			if [[ -z $rest ]]; then GOLIVE_PATH_LINK=1; fi
			rest=$target${rest:+/$rest}
		else
			done=$done/$comp
		fi
	done
	GOLIVE_PATH=$ROOT${done:-/}
}

# golive_writable PATH FILE: refuses what golive must not write through.
golive_writable() {
	if [[ $GOLIVE_PATH_LINK == 1 && ! -e $2 && ! -L $2 ]]; then
		golive_die "$1 is a symlink to $2, which does not exist: not creating it"
	fi
	if [[ -e $2 && ! -f $2 ]]; then
		golive_die "$2 is not a regular file"
	fi
}

# golive_backup FILE: keeps FILE's original, once: a later run finds
# FILE.golive.bak and leaves it alone. A file this run created has no
# original to keep.
golive_backup() {
	if [[ -n ${GOLIVE_CREATED[$1]:-} ]]; then return 0; fi
	if [[ -e $1 && ! -e $1.golive.bak && ! -L $1.golive.bak ]]; then
		cp -p -- "$1" "$1.golive.bak"
		golive_say "backed up $1 to $1.golive.bak"
	fi
}

# golive_same FILE: whether standard input holds exactly FILE's bytes.
# sha256sum is coreutils, on every host; cmp (diffutils) may be missing
# from a minimal install.
golive_same() {
	local want got
	want=$(sha256sum <"$1")
	got=$(sha256sum)
	[[ $got == "$want" ]]
}

# golive_tmp FILE: creates GOLIVE_TMP next to FILE (and FILE's directory),
# so that the final mv is a rename within one file system.
golive_tmp() {
	local dir=${1%/*}
	if [[ -n $dir ]]; then mkdir -p -- "$dir"; fi
	GOLIVE_TMP=$(mktemp "${dir:-}/.${1##*/}.golive.XXXXXX")
}

# golive_install FILE: moves the finished GOLIVE_TMP over FILE, with
# FILE's mode and owner (0644 for a new file), so that no reader ever sees
# half a file. An existing FILE is backed up first.
golive_install() {
	if [[ -e $1 ]]; then
		chmod --reference="$1" -- "$GOLIVE_TMP"
		if ((EUID == 0)); then chown --reference="$1" -- "$GOLIVE_TMP"; fi
		golive_backup "$1"
	else
		chmod 0644 -- "$GOLIVE_TMP"
		GOLIVE_CREATED[$1]=1
	fi
	mv -f -- "$GOLIVE_TMP" "$1"
	GOLIVE_TMP=""
	if [[ -z $ROOT ]] && command -v selinuxenabled >/dev/null && command -v restorecon >/dev/null && selinuxenabled; then
		restorecon -- "$1"
	fi
	GOLIVE_CHANGED=$((GOLIVE_CHANGED + 1))
}

# golive_edit FILE KEY ALT LINE: prints FILE with LINE in place of every
# line that sets KEY (or ALT, its other spelling), or with LINE appended
# when none does. A line sets KEY when, after blanks and an optional "-",
# the text before its first "=" is KEY; # and ; start comments. The values
# reach awk through the environment: awk -v would interpret backslashes.
# LC_ALL=C: bytes are bytes, whatever the file's or the value's encoding.
golive_edit() {
	local src=$1
	if [[ ! -e $src ]]; then src=/dev/null; fi
	GOLIVE_KEY=$2 GOLIVE_ALT=$3 GOLIVE_LINE=$4 LC_ALL=C awk '
	function key_of(s,    i) {
		sub(/^[ \t\r]+/, "", s)
		if (s == "" || s ~ /^[#;]/) return ""
		if (s ~ /^-/) { s = substr(s, 2); sub(/^[ \t\r]+/, "", s) }
		i = index(s, "=")
		if (i == 0) return ""
		s = substr(s, 1, i - 1)
		sub(/[ \t\r]+$/, "", s)
		return s
	}
	{
		k = key_of($0) ""
		if (k != "" && (k == ENVIRON["GOLIVE_KEY"] "" || k == ENVIRON["GOLIVE_ALT"] "")) {
			print ENVIRON["GOLIVE_LINE"]
			found = 1
		} else {
			print
		}
	}
	END { if (!found) print ENVIRON["GOLIVE_LINE"] }
	' "$src"
}

# golive_file_line FILE KEY ALT LINE: makes LINE the setting of KEY in FILE
# (replace or append, see golive_edit). FILE is written only when its
# content changes, so a second run changes nothing.
golive_file_line() {
	local file
	golive_path "$1"
	file=$GOLIVE_PATH
	golive_writable "$1" "$file"
	if [[ -f $file ]] && golive_edit "$file" "$2" "$3" "$4" | golive_same "$file"; then
		golive_say "unchanged: $file already sets $2"
		return 0
	fi
	if golive_dry; then
		golive_say "DRY_RUN: would set $2 in $file: $4"
		return 0
	fi
	golive_tmp "$file"
	golive_edit "$file" "$2" "$3" "$4" >"$GOLIVE_TMP"
	golive_install "$file"
	golive_say "set $2 in $file"
}

# golive_drop_in FILE CONTENT: makes CONTENT the whole of FILE, a file
# golive owns; written only when it differs.
golive_drop_in() {
	local file
	golive_path "$1"
	file=$GOLIVE_PATH
	golive_writable "$1" "$file"
	if [[ -f $file ]] && printf '%s' "$2" | golive_same "$file"; then
		golive_say "unchanged: $file"
		return 0
	fi
	if golive_dry; then
		golive_say "DRY_RUN: would write $file:"
		printf '%s\n' "$2" | sed 's/^/    | /'
		return 0
	fi
	golive_tmp "$file"
	printf '%s' "$2" >"$GOLIVE_TMP"
	golive_install "$file"
	golive_say "wrote $file"
}

# golive_file_mode FILE MODE OWNER GROUP: gives FILE (resolved inside
# ROOT) the octal MODE and the numeric OWNER and GROUP that are not empty,
# changing only what differs. A file, not a running system: it applies
# under ROOT too. chown clears setuid and setgid, so it runs before chmod.
golive_file_mode() {
	local cur
	golive_path "$1"
	if [[ ! -e $GOLIVE_PATH ]]; then
		golive_die "$1 does not exist: not creating it"
	fi
	cur=$(stat -L -c '%u %g %a' -- "$GOLIVE_PATH")
	read -r -a cur <<<"$cur"
	if [[ -n $3 && ${cur[0]} != "$3" ]] || [[ -n $4 && ${cur[1]} != "$4" ]]; then
		golive_run chown -- "${3}${4:+:$4}" "$GOLIVE_PATH"
		if ! golive_dry; then
			golive_say "changed the owner of $GOLIVE_PATH to ${3}${4:+:$4}"
			GOLIVE_CHANGED=$((GOLIVE_CHANGED + 1))
			cur[2]=$(stat -L -c '%a' -- "$GOLIVE_PATH")
		fi
	fi
	if [[ -n $2 ]] && ((8#${cur[2]} != 8#$2)); then
		golive_run chmod -- "$2" "$GOLIVE_PATH"
		if ! golive_dry; then
			golive_say "changed the mode of $GOLIVE_PATH to $2"
			GOLIVE_CHANGED=$((GOLIVE_CHANGED + 1))
		fi
	fi
}

# golive_sysctl KEY ALT VALUE: persists KEY = VALUE in golive's sysctl.d
# file (what a boot applies) and sets it now (what runs).
golive_sysctl() {
	golive_file_line "$GOLIVE_SYSCTL_FILE" "$1" "$2" "$1 = $3"
	golive_runtime sysctl -w "$1=$3"
}

# golive_fix ID SUMMARY: starts the fixes of one check.
golive_fix() { golive_say "--- $1: $2"; }

# golive_manual ID TEXT: work for a person, listed at the end.
golive_manual() { GOLIVE_MANUAL+=("$1: $2"); }

# golive_reboot ID SUMMARY: a fix that takes effect only after a reboot.
golive_reboot() { GOLIVE_REBOOT+=("$1: $2"); }

# golive_os_value RAW: the value of an os-release assignment, unquoted as
# os-release(5) allows; fails on a malformed one.
golive_os_value() {
	local raw=$1 out="" c i
	case $raw in
	\"*\")
		raw=${raw:1:${#raw}-2}
		for ((i = 0; i < ${#raw}; i++)); do
			c=${raw:i:1}
			if [[ $c == \\ ]] && ((i + 1 < ${#raw})); then
				case ${raw:i+1:1} in
				'$' | '"' | \\ | $'\x60')
					out+=${raw:i+1:1}
					i=$((i + 1))
					continue
					;;
				esac
			fi
			if [[ $c == '"' ]]; then return 1; fi
			out+=$c
		done
		;;
	\'*\')
		out=${raw:1:${#raw}-2}
		if [[ $out == *\'* ]]; then return 1; fi
		;;
	*)
		if [[ $raw == *[[:blank:]\"\'\$\\]* || $raw == *$'\x60'* ]]; then return 1; fi
		out=$raw
		;;
	esac
	printf '%s' "$out"
}

# golive_os_release FILE: sets GOLIVE_OS_ID, _ID_LIKE and _VERSION_ID. The
# file is parsed, not sourced: it is data, and under ROOT an image's.
golive_os_release() {
	local line key val
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		if [[ -z $line || $line == \#* || $line != *=* ]]; then continue; fi
		key=${line%%=*}
		val=$(golive_os_value "${line#*=}") || continue
		case $key in
		ID) GOLIVE_OS_ID=$val ;;
		ID_LIKE) GOLIVE_OS_ID_LIKE=$val ;;
		VERSION_ID) GOLIVE_OS_VERSION_ID=$val ;;
		esac
	done <"$1"
	GOLIVE_OS_ID=${GOLIVE_OS_ID:-linux}
}

# golive_rule ID_GLOB ID_LIKE_GLOB VERSION_ID_GLOB: whether os-release
# matches one of the profile's match rules. The arguments are globs, as
# the profile writes them, so they are matched unquoted.
# shellcheck disable=SC2254
golive_rule() {
	local word words
	if [[ -n $3 ]]; then
		case $GOLIVE_OS_VERSION_ID in
		$3) ;;
		*) return 1 ;;
		esac
	fi
	if [[ -n $1 ]]; then
		case $GOLIVE_OS_ID in
		$1) return 0 ;;
		esac
		return 1
	fi
	if [[ -n $2 ]]; then
		read -r -a words <<<"$GOLIVE_OS_ID_LIKE"
		for word in ${words[@]+"${words[@]}"}; do
			case $word in
			$2) return 0 ;;
			esac
		done
	fi
	return 1
}

# golive_guard DISTRO [ID ID_LIKE VERSION_ID]...: refuses to change a
# system (this one, or the image at ROOT) whose os-release matches none of
# the rules: a fix for Rocky 9 must not run on Ubuntu.
golive_guard() {
	local distro=$1 file
	shift
	golive_path /etc/os-release
	file=$GOLIVE_PATH
	if [[ ! -f $file ]]; then
		golive_path /usr/lib/os-release
		file=$GOLIVE_PATH
	fi
	if [[ ! -f $file ]]; then
		golive_die "no os-release under ${ROOT:-/}: cannot tell what system this is; refusing to run"
	fi
	golive_os_release "$file"
	while (($# >= 3)); do
		if golive_rule "$1" "$2" "$3"; then return 0; fi
		shift 3
	done
	golive_die "this script fixes $distro, but $file says ID=$(printf %q "$GOLIVE_OS_ID") VERSION_ID=$(printf %q "$GOLIVE_OS_VERSION_ID"): refusing to run (run golive remediate on that system instead)"
}

# golive_finish: what is left to do.
golive_finish() {
	local item
	if ((${#GOLIVE_SKIPPED[@]} > 0)); then
		golive_say "skipped under ROOT=$ROOT: run these on the booted system:"
		for item in "${GOLIVE_SKIPPED[@]}"; do printf '    %s\n' "$item"; done
	fi
	if ((${#GOLIVE_MANUAL[@]} > 0)); then
		golive_say "to do by hand (see the MANUAL comments in this script):"
		for item in "${GOLIVE_MANUAL[@]}"; do printf '    %s\n' "$item"; done
	fi
	if ((${#GOLIVE_REBOOT[@]} > 0)); then
		golive_say "these fixes take effect after a reboot:"
		for item in "${GOLIVE_REBOOT[@]}"; do printf '    %s\n' "$item"; done
	fi
	if golive_dry; then
		golive_say "DRY_RUN: nothing was changed"
	else
		golive_say "done: $GOLIVE_CHANGED file(s) changed"
	fi
}
`
