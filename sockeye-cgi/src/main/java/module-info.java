/** CGI/1.1 for Sockeye: {@link io.sockeye.cgi.CgiHandler} runs scripts (RFC 3875). */
module io.sockeye.cgi {
    requires io.sockeye;

    exports io.sockeye.cgi;
}
