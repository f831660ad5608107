# splice_grammar.cmake: writes the Bison input the build compiles, spec/grammar/gram.y
# with its "/* @KEYWORD_TOKENS@ */" and "/* @KEYWORD_RULES@ */" lines replaced by the
# key word tokens and category rules codegen made from spec/keywords.toml.
#
#   cmake -DGRAMMAR=gram.y -DTOKENS=keyword_tokens.y -DRULES=keyword_rules.y -DOUT=gram.y -P splice_grammar.cmake
file(READ ${GRAMMAR} text)
file(READ ${TOKENS} tokens)
file(READ ${RULES} rules)
foreach(marker KEYWORD_TOKENS KEYWORD_RULES)
  string(FIND "${text}" "/* @${marker}@ */" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${GRAMMAR}: no /* @${marker}@ */ line")
  endif()
endforeach()
string(REPLACE "/* @KEYWORD_TOKENS@ */" "${tokens}" text "${text}")
string(REPLACE "/* @KEYWORD_RULES@ */" "${rules}" text "${text}")
file(WRITE ${OUT}.tmp "${text}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
