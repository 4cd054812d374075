# bash completion for valleys: subcommands and options, read from the program's own --help (so
# they never drift from it). Installed as share/bash-completion/completions/valleys.
_valleys() {
  local cur=${COMP_WORDS[COMP_CWORD]} words=() i
  # The command path typed so far (valleys realnets profile ...), options and values left out.
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ ${COMP_WORDS[i]} == -* ]] && break
    words+=("${COMP_WORDS[i]}")
  done
  local help
  help=$("${COMP_WORDS[0]}" "${words[@]}" --help 2>/dev/null) || return 0
  local candidates
  if [[ $cur == -* ]]; then
    candidates=$(grep -oE -- '--[a-z0-9][a-z0-9-]*' <<< "$help" | sort -u)
  else
    # Subcommand lines of CLI11's help: "  name  description" under "Subcommands:".
    candidates=$(awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z0-9]/ {print $1}' <<< "$help")
  fi
  mapfile -t COMPREPLY < <(compgen -W "$candidates" -- "$cur")
  [[ ${#COMPREPLY[@]} -eq 0 && $cur != -* ]] && mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  return 0
}
complete -F _valleys valleys
