# SPDX-License-Identifier: MIT
# bash completion for screc and screc-record: commands, each command's
# options (read from its --help, so they never drift), syscall and %class
# names after -e, output formats after --format, and files.

_screc_words() {
	# Every --long and -s option in "screc CMD --help", once.
	"$1" "$2" --help 2>/dev/null |
		grep -oE '(^|[ ,\[])--?[A-Za-z][A-Za-z-]*' | sed 's/^[ ,\[]//' | sort -u
}

_screc() {
	local cur prev words cword prog cmd i
	_init_completion 2>/dev/null || {
		COMPREPLY=()
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	prog=${words[0]}

	# The command is the first word that is not an option.
	cmd=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--) break ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "record report info diff archive help --help --version" -- "$cur"))
		return
	fi
	# After "--" on a record line: the command to launch.
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			COMPREPLY=($(compgen -c -- "$cur"))
			return
		fi
	done

	case $cmd:$prev in
	help:*)
		COMPREPLY=($(compgen -W "record report info diff archive syscalls" -- "$cur"))
		return ;;
	*:-e | *:--events | *:--syscall)
		# A comma list: complete its last word.
		local head=${cur%,*} last=${cur##*,}
		[[ $head == "$cur" ]] && head= || head=$head,
		local neg=
		[[ $last == '!'* ]] && neg='!' && last=${last#!}
		COMPREPLY=($(compgen -P "$head$neg" -W "$("$prog" help syscalls 2>/dev/null) all" -- "$last"))
		compopt -o nospace 2>/dev/null
		return ;;
	*:-p | *:--pid)
		COMPREPLY=($(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur"))
		return ;;
	*:-u | *:--user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return ;;
	*:-o | *:--output | *:--symfs | *:--debug-dir)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	*:--level | *:-l)
		COMPREPLY=($(compgen -W "unwind symbols full" -- "$cur"))
		return ;;
	esac

	# --opt=value: bash splits it at "=" (COMP_WORDBREAKS), a caller may not.
	local opt= val= pre=
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*} val=${cur#*=} pre=$opt=
	elif [[ $cur == = && $prev == --* ]]; then
		opt=$prev
	elif [[ $prev == = && $cword -ge 2 ]]; then
		opt=${words[cword - 2]} val=$cur
	fi
	local values=
	case $opt in
	--format) values=$("$prog" report --format=help 2>/dev/null | awk 'NR > 1 { print $1 }') ;;
	--tree) values="bottom-up top-down" ;;
	--color | --colour) values="auto always never" ;;
	--weight) values="count latency" ;;
	--archive | --level) values="unwind symbols full" ;;
	--resolve) values="addresses names" ;;
	esac
	if [[ -n $values ]]; then
		COMPREPLY=($(compgen -P "$pre" -W "$values" -- "$val"))
		return
	fi

	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_screc_words "$prog" "$cmd")" -- "$cur"))
		return ;;
	esac
	# Recordings.
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _screc screc screc-record
