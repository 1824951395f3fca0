# -DPULSE_SANITIZE=ON: the whole tree (tests included) is built with ASan + UBSan.
# Applied globally so that every library a test links is instrumented the same way.
if(PULSE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
