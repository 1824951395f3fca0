# Every first-party target calls pulse_warnings(target): warnings are errors.
function(pulse_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()
