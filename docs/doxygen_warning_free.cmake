# cmake -DDOXYGEN=... -DDOXYFILE=... -DWORK_DIR=... -P doxygen_warning_free.cmake
# Runs Doxygen with DOXYFILE, output and warnings in WORK_DIR; fails when it
# wrote any warning (printed) or failed.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(log ${WORK_DIR}/warnings.log)
file(WRITE ${WORK_DIR}/Doxyfile "@INCLUDE = ${DOXYFILE}\nOUTPUT_DIRECTORY = ${WORK_DIR}\nWARN_LOGFILE = ${log}\n")
execute_process(COMMAND ${DOXYGEN} ${WORK_DIR}/Doxyfile RESULT_VARIABLE status)
file(READ ${log} warnings)
if(NOT warnings STREQUAL "")
    message(NOTICE "${warnings}")
    message(FATAL_ERROR "doxygen warned (above; also in ${log})")
endif()
if(NOT status EQUAL 0)
    message(FATAL_ERROR "doxygen failed (${status})")
endif()
message(STATUS "doxygen: no warning")
