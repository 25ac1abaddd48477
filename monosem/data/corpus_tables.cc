// The rows behind every leaf label of the built-in corpus. Within a genre,
// rows are in rank order: the first is the most frequent leaf under the
// Zipfian leaf mixture. See corpus_leaves.h for what a row means and
// corpus_leaves.cc (Expander) for the template language.
#include "monosem/data/corpus_leaves.h"

namespace monosem::corpus_internal {

const std::vector<const char*>& GenreOrder() {
  static const auto* order = new std::vector<const char*>{
      // The paper's genres.
      "prose", "dialogue", "citation", "http", "korean", "arabic", "hebrew", "dna", "base64",
      "html", "numbers",
      // Further formal kinds a single unit can carry.
      "code", "data", "table", "markup", "math", "url", "hex", "log", "latin", "cyrillic",
      "greek", "indic", "sea", "cjk", "emoji"};
  return *order;
}

const std::vector<TemplateLeaf>& TemplateLeaves() {
  static const auto* rows = new std::vector<TemplateLeaf>{
      // ------------------------------------------------------------ dialogue
      {"dialogue", "quoted", "%<%F: \"%s%{ %s%}\"\n%|\"%c,\" said %F.%{ \"%s\"%}\n%|\"%c?\" asked %F.\n%>"},
      {"dialogue", "screenplay", "%Q\n%{          (%a)\n%}          %s%{ %s%}\n\n"},
      {"dialogue", "chat", "[%t] <%F> %c%{ %<lol%|:)%|?%|!!%|+1%>%}\n"},
      {"dialogue", "interview", "Q: %<Why%|How%|When%|Where%> %c?\nA: %s%{ %s%}\n\n"},
      {"dialogue", "subtitles", "%N\n00:%m:%D,%0%0%0 --> 00:%m:%D,%0%0%0\n%s\n\n"},
      {"dialogue", "forum", "%F wrote:\n%(> %s\n%)\n%s%{ %s%}\n\n"},
      // ------------------------------------------------------------ citation
      {"citation", "apa", "%(%S, %L., %)& %S, %L. (%y). %W %w %a %w. %<Journal of%|Annals of%|Review of%> %W, %n(%n), %N-%N.%{ https://doi.org/10.%N/%w.%N%}\n"},
      {"citation", "mla", "%S, %F, and %F %S. \"%W %W of the %W.\" %W %W, vol. %n, no. %n, %y, pp. %n-%N.\n"},
      {"citation", "bibtex", "@%<article%|inproceedings%|book%>{%S%y%w,\n  author = {%S, %F and %S, %F},\n  title = {%W %a %w},\n  journal = {%W %W},\n  year = {%y},\n  volume = {%n},\n  pages = {%n--%N}\n}\n"},
      {"citation", "ieee", "[%n] %L. %S and %L. %S, \"%W %w %w,\" %<in Proc.%|IEEE Trans.%> %W, vol. %n, pp. %n-%N, %y.\n"},
      // ------------------------------------------------------------ http
      {"http", "get", "GET /%w/%w%{?%w=%n&%w=%w%} HTTP/1.1\r\nHost: www.%w.%<com%|org%|net%>\r\nUser-Agent: %<Mozilla/5.0 (X11; Linux x86_64)%|curl/8.4.0%|python-requests/2.31.0%>\r\nAccept: %<*/*%|text/html%|application/json%>\r\n%{Cookie: session=%X%X\r\n%}\r\n"},
      {"http", "post_json", "%<POST%|PUT%|PATCH%> /api/v%0/%w/%N HTTP/1.1\r\nHost: api.%w.io\r\nContent-Type: application/json\r\nAuthorization: Bearer %U\r\n\r\n{\"%w\": \"%w\", \"%w\": %n}\n"},
      {"http", "response", "HTTP/1.1 %<200 OK%|404 Not Found%|301 Moved Permanently%|500 Internal Server Error%>\r\nDate: %<Mon%|Tue%|Wed%|Thu%>, %D Jan %y %t GMT\r\nServer: %<nginx/1.%n%|Apache/2.4.%n%>\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %N\r\n\r\n"},
      {"http", "access_log", "%4 - - [%D/%<Jan%|Mar%|Oct%>/%y:%t +0000] \"%<GET%|POST%|HEAD%> /%w/%w HTTP/1.1\" %<200%|304%|404%> %N \"-\" \"Mozilla/5.0\"\n"},
      {"http", "post_form", "POST /%w HTTP/1.1\r\nHost: %w.org\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %n\r\n\r\n%w=%w&%w=%n&%w=%w\n"},
      {"http", "curl", "curl -X %<GET%|POST%|DELETE%> \"https://api.%w.com/%w?%w=%n\" \\\n  -H \"Accept: application/json\" \\\n  -H \"X-Request-Id: %X-%h\"\n"},
      // ------------------------------------------------------------ dna
      {"dna", "fasta", ">%L%L_%N.%0 %W %w\n%[%G\n%]"},
      {"dna", "inline", "%S et al. amplified %g with the primer %g. %s\n"},
      {"dna", "genbank", "ORIGIN\n%[%<        %n%|      %N%> %j %j %j %j %j %j\n%]//\n"},
      {"dna", "fastq", "@%L%L%N.%n\n%G\n+\n%q\n"},
      {"dna", "rna", ">%w RNA\n%[%R\n%]"},
      {"dna", "protein", ">sp|%L%0%L%L%L%0|%J_%J %W %w\n%[%A\n%]"},
      // ------------------------------------------------------------ base64
      {"base64", "bare", "%[%Z\n%]%=\n"},
      {"base64", "pem", "-----BEGIN %<CERTIFICATE%|PUBLIC KEY%|PRIVATE KEY%>-----\n%[%B\n%]%=\n-----END %<CERTIFICATE%|PUBLIC KEY%|PRIVATE KEY%>-----\n"},
      {"base64", "data_url", "<img src=\"data:image/%<png%|jpeg%|gif%>;base64,%B%B%B%=\" alt=\"%w\">\n"},
      {"base64", "mime", "Content-Type: application/%<pdf%|octet-stream%>; name=\"%w.pdf\"\nContent-Transfer-Encoding: base64\n\n%[%Z\n%]%=\n\n"},
      {"base64", "ssh", "ssh-%<rsa%|ed25519%> AAAA%B%B%= %w@%w\n"},
      {"base64", "jwt", "eyJ%U.eyJ%U%U.%U\n"},
      {"base64", "json_field", "{\"%w\": \"%B%B%=\"}\n"},
      {"base64", "css_font", "@font-face { src: url(data:font/woff2;base64,%B%B%B%=); }\n"},
      // ------------------------------------------------------------ html
      {"html", "article", "<article class=\"%w\">\n  <h2>%W %w</h2>\n%(  <p>%s <a href=\"/%w.html\">%w</a></p>\n%)</article>\n"},
      {"html", "table", "<table>\n  <tr><th>%W</th><th>%W</th></tr>\n%[  <tr><td>%w</td><td>%N</td></tr>\n%]</table>\n"},
      {"html", "form", "<form action=\"/%w\" method=\"post\">\n%(  <label for=\"%w\">%W</label>\n  <input type=\"%<text%|email%|password%|checkbox%>\" name=\"%w\" id=\"%$\">\n%)  <button type=\"submit\">%W</button>\n</form>\n"},
      {"html", "nav", "<nav>\n  <ul>\n%[    <li><a href=\"/%w/\">%W</a></li>\n%]  </ul>\n</nav>\n"},
      {"html", "head", "<head>\n  <meta charset=\"utf-8\">\n  <title>%W %W</title>\n%(  <link rel=\"stylesheet\" href=\"/css/%w.css\">\n%)%(  <script src=\"/js/%w.js\" defer></script>\n%)</head>\n"},
      {"html", "svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %N %N\">\n%[  <%<rect x=\"%n\" y=\"%n\" width%|circle cx=\"%n\" cy=\"%n\" r%>=\"%n\" fill=\"#%x%x%x\"/>\n%]</svg>\n"},
      // ------------------------------------------------------------ numbers
      {"numbers", "integers", "%[%N, %]%N\n"},
      {"numbers", "decimals", "%[%<-%|%>%d\t%]%d\n"},
      {"numbers", "scientific", "%[%f %]%f\n"},
      {"numbers", "money", "%[$%n,%0%0%0.%0%0 %]\n"},
      {"numbers", "percent", "%[%n.%0%% %]\n"},
      {"numbers", "dates", "%[%y-%m-%D %]\n"},
      {"numbers", "times", "%[%t %]\n"},
      {"numbers", "phone", "%(+%n (%0%0%0) %0%0%0-%0%0%0%0\n%)"},
      {"numbers", "european", "%[%N,%0%0; %]\n"},
      {"numbers", "fractions", "%[%n/%n %]\n"},
      // ------------------------------------------------------------ code
      {"code", "c", "static int %i(int %i, const char *%i) {\n%(  %<int %i = %i(%i, %n);%|if (%i > %n) return %i;%|for (int i = 0; i < %n; ++i) %i[i] = %i;%|/* %c */%>\n%)  return %i;\n}\n\n"},
      {"code", "python", "def %i(%i, %i=None):\n%(    %<%i = [x * %n for x in %i]%|if %i is None:\n        return %i%|# %c%|print(f\"{%i}\")%>\n%)    return %i\n\n\n"},
      {"code", "javascript", "function %i(%i, %i) {\n%(  %<const %i = %i.map((x) => x * %n);%|if (%i === undefined) return null;%|// %c%|console.log(`${%i}`);%>\n%)  return %i;\n}\n\n"},
      {"code", "java", "public static %I %i(final %I %i) throws %IException {\n%(    %<%I %i = new %I(%i);%|if (%i.equals(%i)) { return null; }%|// %c%|System.out.println(%i.get%I());%>\n%)    return %i;\n}\n\n"},
      {"code", "cpp", "template <typename T>\nstd::vector<T> %I::%i(const std::string& %i) const {\n%(  %<auto %i = std::make_unique<%I>(%i);%|for (const auto& %i : %i) %i.push_back(%i);%|// %c%|std::cout << %i << std::endl;%>\n%)  return {};\n}\n\n"},
      {"code", "go", "func (%l *%I) %I(%i string, %i int) (*%I, error) {\n%(\t%<%i, err := %l.%I(%i)%|if err != nil {\n\t\treturn nil, err\n\t}%|// %c%|fmt.Printf(\"%%v\\n\", %i)%>\n%)\treturn &%I{}, nil\n}\n\n"},
      {"code", "shell", "%i() {\n%(  %<local %i=\"$1\"%|if [ -z \"$%i\" ]; then\n    echo \"%w: missing\" >&2\n    return 1\n  fi%|# %c%|%i=$(grep -c \"%w\" \"$%i\")%>\n%)}\n\n"},
      {"code", "csharp", "public async Task<%I> %I(%I %i)\n{\n%(    %<var %i = await %i.%IAsync();%|if (%i == null) throw new ArgumentNullException(nameof(%i));%|// %c%|Console.WriteLine($\"{%i}\");%>\n%)    return %i;\n}\n\n"},
      {"code", "typescript", "export function %i(%i: %<string%|number%|boolean%>, %i: %I[]): Promise<%I> {\n%(  %<const %i: %I = await fetch(%i);%|let %i: number = %n;%|// %c%|%i?.forEach((x) => x.%i());%>\n%)  return %i as %I;\n}\n\n"},
      {"code", "rust", "pub fn %i(%i: &str, %i: usize) -> Result<%I, Error> {\n%(    %<let %i = %i.iter().map(|x| x * %n).collect::<Vec<_>>();%|let mut %i = %I::new();%|// %c%|println!(\"{}\", %i);%>\n%)    Ok(%i)\n}\n\n"},
      {"code", "sql", "SELECT %i, COUNT(*) AS %i\nFROM %i\n%(%<JOIN %i ON %i.%i = %i.id%|WHERE %i > %n%|-- %c%>\n%)GROUP BY %i\nORDER BY %i DESC;\n\n"},
      {"code", "php", "function %i($%i, $%i) {\n%(    %<$%i = array_map('%i', $%i);%|if (!isset($%i['%w'])) { return null; }%|// %c%|echo \"$%i\\n\";%>\n%)    return $%i;\n}\n\n"},
      {"code", "ruby", "def %i(%i, %i = %n)\n%(  %<%i = %i.map { |x| x * %n }%|return nil if %i.nil?%|# %c%|puts \"#{%i}\"%>\n%)  %i\nend\n\n"},
      {"code", "css", ".%w-%w {\n%(  %<color%|margin%|padding%|font-size%>: %<#%x%x%x%|%npx%|%nem%|auto%>;\n%)}\n\n"},
      {"code", "swift", "func %i(_ %i: String, %i: Int) -> %I? {\n%(    %<let %i = %i.map { $0 * %n }%|guard let %i = %i else { return nil }%|// %c%|print(\"\\(%i)\")%>\n%)    return %i\n}\n\n"},
      {"code", "kotlin", "fun %i(%i: String, %i: Int): %I? {\n%(    %<val %i = %i.map { it * %n }%|var %i: %I? = null%|// %c%|println(\"$%i\")%>\n%)    return %i\n}\n\n"},
      {"code", "scala", "def %i(%i: String, %i: Int): Option[%I] = {\n%(  %<val %i = %i.map(_ * %n)%|%i match { case Some(x) => x; case None => %n }%|// %c%>\n%)  None\n}\n\n"},
      {"code", "r", "%i <- function(%i, %i = %n) {\n%(  %<%i <- sapply(%i, function(x) x * %n)%|if (is.null(%i)) return(NULL)%|# %c%|cat(%i, \"\\n\")%>\n%)  %i\n}\n\n"},
      {"code", "perl", "sub %i {\n    my ($%i, $%i) = @_;\n%(    %<my @%i = map { $_ * %n } @%i;%|return unless defined $%i;%|# %c%|print \"$%i\\n\";%>\n%)    return $%i;\n}\n\n"},
      {"code", "lua", "local function %i(%i, %i)\n%(  %<local %i = %i[%n]%|if %i == nil then return end%|-- %c%|print(%i .. \"%w\")%>\n%)  return %i\nend\n\n"},
      {"code", "dart", "Future<%I> %i(String %i, int %i) async {\n%(  %<final %i = await %i.%i();%|var %i = <%I>[];%|// %c%|print('$%i');%>\n%)  return %i;\n}\n\n"},
      {"code", "julia", "function %i(%i::Vector{Float64}, %i::Int)\n%(    %<%i = %i .* %n%|%i === nothing && return %i%|# %c%|println(\"$(%i)\")%>\n%)    return %i\nend\n\n"},
      {"code", "matlab", "function [%i] = %i(%i, %i)\n%(    %<%i = %i .* %n;%|if isempty(%i), %i = zeros(%n, %n); end%|%% %c%|disp(%i);%>\n%)end\n\n"},
      {"code", "haskell", "%i :: %I -> [%I] -> Maybe %I\n%i %i %i\n%(  %<| %i > %n = Just %i%|| otherwise = Nothing%>\n%)  where %i = map (* %n) %i\n\n"},
      {"code", "powershell", "function %I-%I {\n    param([string]$%I, [int]$%I = %n)\n%(    %<$%i = Get-%I -Path $%I%|if (-not $%I) { return $null }%|# %c%|Write-Host \"$%i\"%>\n%)}\n\n"},
      {"code", "makefile", "%i: %(%i.o %)\n\t$(CC) $(CFLAGS) -o $@ $^ -l%w\n\n%%.o: %%.c\n\t$(CC) -c $< -o $@\n\n"},
      {"code", "dockerfile", "FROM %w:%n.%n-slim\nWORKDIR /%w\n%(%<RUN apt-get install -y %w%|COPY %i.txt /%w/%|ENV %J=%w%|EXPOSE %N%>\n%)CMD [\"%i\", \"--%w\"]\n\n"},
      {"code", "ocaml", "let rec %i %i %i =\n%(  %<let %i = List.map (fun x -> x * %n) %i in%|if %i = %n then None else%|(* %c *)%>\n%)  Some %i\n;;\n\n"},
      {"code", "elixir", "defmodule %I do\n  def %i(%i, %i) do\n%(    %<%i = Enum.map(%i, &(&1 * %n))%|%i |> IO.inspect()%|# %c%>\n%)    {:ok, %i}\n  end\nend\n\n"},
      {"code", "clojure", "(defn %i\n  [%i %i]\n%(  %<(let [%i (map #(* %% %n) %i)]%|(when (nil? %i) nil)%|;; %c%>\n%)  %i)\n\n"},
      {"code", "fortran", "subroutine %i(%i, %i)\n  implicit none\n  real(8), intent(in) :: %i(%n)\n%(  %<do i = 1, %n\n    %i(i) = %i(i) * %n.0d0\n  end do%|! %c%|print *, %i%>\n%)end subroutine %i\n\n"},
      {"code", "pascal", "procedure %I(%I: Integer; var %I: String);\nvar\n  %I: Integer;\nbegin\n%(  %<%I := %I + %n;%|if %I > %n then Exit;%|{ %c }%|WriteLn(%I);%>\n%)end;\n\n"},
      {"code", "vb", "Public Function %I(ByVal %I As String) As Integer\n%(    %<Dim %I As Integer = %n%|If %I Is Nothing Then Return 0%|' %c%|Console.WriteLine(%I)%>\n%)    Return %n\nEnd Function\n\n"},
      {"code", "objc", "- (%I *)%i:(NSString *)%i with%I:(NSInteger)%i {\n%(    %<%I *%i = [[%I alloc] init];%|NSLog(@\"%%@\", %i);%|// %c%|[%i %i:%n];%>\n%)    return %i;\n}\n\n"},
      {"code", "fsharp", "let %i (%i: string) (%i: int) : %I option =\n%(    %<let %i = %i |> List.map (fun x -> x * %n)%|// %c%|printfn \"%%A\" %i%>\n%)    Some %i\n\n"},
      {"code", "erlang", "%i(%I, %I) ->\n%(    %<%I = lists:map(fun(X) -> X * %n end, %I),%|io:format(\"~p~n\", [%I]),%|%% %c%>\n%)    {ok, %I}.\n\n"},
      {"code", "scheme", "(define (%i %i %i)\n%(  %<(let ((%i (* %i %n)))%|(if (null? %i) '()%|; %c%>\n%)  %i)\n\n"},
      {"code", "common_lisp", "(defun %i (%i &optional (%i %n))\n  \"%c\"\n%(  %<(setf %i (mapcar #'1+ %i))%|(format t \"~a~%%\" %i)%>\n%)  %i)\n\n"},
      {"code", "zig", "pub fn %i(%i: []const u8, %i: usize) !%I {\n%(    %<const %i = try %i.%i(%n);%|var %i: u32 = %n;%|// %c%|std.debug.print(\"{d}\\n\", .{%i});%>\n%)    return %i;\n}\n\n"},
      {"code", "nim", "proc %i(%i: string, %i: int): %I =\n%(  %<let %i = %i.mapIt(it * %n)%|var %i = new%I()%|# %c%|echo %i%>\n%)  result = %i\n\n"},
      {"code", "cmake", "cmake_minimum_required(VERSION 3.%n)\nproject(%i)\n%(%<add_library(%i %i.cc)%|target_link_libraries(%i PRIVATE %i)%|set(%J %w)%>\n%)\n"},
      {"code", "verilog", "module %i (\n  input wire clk,\n%(  %<input wire [%n:0] %i,%|output reg %i,%>\n%));\n  always @(posedge clk) begin\n%(    %i <= %i + %n'd%n;\n%)  end\nendmodule\n\n"},
      {"code", "vhdl", "entity %i is\n  port (\n%(    %i : in std_logic_vector(%n downto 0);\n%)    %i : out std_logic\n  );\nend %i;\n\n"},
      {"code", "asm_x86", "%i:\n%[    %<mov%|add%|sub%|xor%|cmp%> %<rax%|rbx%|rcx%|rdx%|rsi%|rdi%>, %<rsp%|%n%|[rbp-%n]%>\n%]    ret\n\n"},
      {"code", "asm_arm", "%i:\n%[    %<ldr%|str%|add%|sub%|mov%> %<x0%|x1%|x2%|w3%|x29%>, %<[sp, #%n]%|#%n%|x%0%>\n%]    ret\n\n"},
      // ------------------------------------------------------------ data
      {"data", "json", "{\"%w\": %N, \"%w\": \"%w %a\", \"%w\": [%(%n, %)%n], \"%w\": %b, \"%i\": {\"%w\": %d}}\n"},
      {"data", "yaml", "%w:\n%(  %i: %<%N%|%w%|\"%w %w\"%|%b%>\n%)%(  - %w\n%)"},
      {"data", "xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%w id=\"%N\">\n%(  <%i>%w</%i>\n%)</%w>\n"},
      {"data", "toml", "[%w.%i]\n%(%i = %<%N%|\"%w\"%|%b%|[%n, %n]%>\n%)\n"},
      {"data", "ini", "[%W]\n%(%W=%<%w%|%N%|yes%|no%>\n%)\n"},
      {"data", "protobuf_text", "%i {\n%(  %i: %<%N%|\"%w\"%|%b%|%J%>\n%)}\n"},
      {"data", "env", "%(%J=%<%w%|%N%|\"%w %w\"%>\n%)"},
      {"data", "sexpr", "(%w%( (:%w %<%N%|\"%w\"%>)%))\n"},
      // ------------------------------------------------------------ table
      {"table", "csv", "%W,%W,%W\n%[%w,%N,%d\n%]"},
      {"table", "tsv", "%W\t%W\t%W\n%[%w\t%N\t%d\n%]"},
      {"table", "markdown", "| %W | %W | %W |\n|---|---:|:---|\n%[| %w | %N | %d |\n%]\n"},
      {"table", "ascii_box", "+--------+--------+\n| %W | %W |\n+========+========+\n%[| %w | %N |\n%]+--------+--------+\n"},
      {"table", "fixed_width", "%[%w          %N      %d\n%]"},
      // ------------------------------------------------------------ markup
      {"markup", "markdown", "## %W %w\n\n%s %s\n\n%(- **%w** %c\n%)\n"},
      {"markup", "rst", "%W %w\n=========\n\n%s\n\n.. note::\n\n   %s\n\n"},
      {"markup", "mediawiki", "== %W ==\n'''%W''' %s [[%W|%w]] %s\n%(* %w\n%)\n"},
      {"markup", "org", "* TODO %W %w\n  SCHEDULED: <%y-%m-%D>\n%(** %W\n   %s\n%)"},
      {"markup", "asciidoc", "= %W %w\n:author: %F %S\n\n%s\n\n[source]\n----\n%i()\n----\n\n"},
      {"markup", "bbcode", "[b]%W[/b] %s [i]%w[/i] [url=https://%w.com]%w[/url]\n[quote=%F]%s[/quote]\n"},
      {"markup", "troff", ".TH %J 1\n.SH NAME\n%i \\- %c\n.SH SYNOPSIS\n.B %i\n.RB [ \\-%l ]\n"},
      // ------------------------------------------------------------ math
      {"math", "latex_inline", "%s Let $%l_{%n} = \\frac{%l}{%l+%n}$ and $\\sum_{%l=1}^{%n} %l^{%n}$.\n"},
      {"math", "latex_display", "\\begin{equation}\n  %l(%l) = \\int_{0}^{\\infty} e^{-%l %l} \\, d%l\n\\end{equation}\n"},
      {"math", "latex_align", "\\begin{align}\n%(  %l_{%n} &= %<\\alpha%|\\beta%|\\gamma%> %l_{%n} + \\sqrt{%l} \\\\\n%)\\end{align}\n"},
      {"math", "unicode", "%(∀%l ∈ ℝ: %l² + %l ≥ %n ⇒ ∃%l ∉ ∅\n%)"},
      {"math", "matrix", "\\begin{pmatrix}\n%(  %n & %n & %n \\\\\n%)\\end{pmatrix}\n"},
      {"math", "asciimath", "%(%l = (-%l +- sqrt(%l^2 - %n%l%l))/(%n%l)\n%)"},
      {"math", "mathml", "<math><mrow><mi>%l</mi><mo>=</mo><mfrac><mn>%n</mn><mi>%l</mi></mfrac></mrow></math>\n"},
      // ------------------------------------------------------------ url
      {"url", "http", "%[https://%<www.%|%>%w.%<com%|org%|net%|io%|de%>/%w/%i%{?%w=%n%}\n%]"},
      {"url", "email", "%[%l%S@%w.%<com%|org%|edu%>\n%]"},
      {"url", "unix_path", "%[/%<usr%|home%|var%|etc%|opt%>/%w/%i.%<c%|py%|txt%|conf%|log%>\n%]"},
      {"url", "windows_path", "%[C:\\%<Users%|Program Files%|Windows%>\\%W\\%I.%<exe%|dll%|txt%>\n%]"},
      {"url", "schemes", "%[%<ftp%|ssh%|git%|s3%>://%w.%w.%<com%|org%>:%N/%w\n%]"},
      {"url", "percent", "%[https://%w.com/search?q=%w%%20%w%%2C%%20%w&lang=%l%l\n%]"},
      // ------------------------------------------------------------ hex
      {"hex", "hexdump", "%[%X  %x %x %x %x %x %x %x %x  %x %x %x %x %x %x %x %x  |%w.%w|\n%]"},
      {"hex", "uuid", "%[%X-%h-4%x%0-%h-%X%h\n%]"},
      {"hex", "sha256", "%[%k  %i.%<tar.gz%|zip%|iso%>\n%]"},
      {"hex", "c_array", "static const uint8_t %i[] = {\n%[  0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x,\n%]};\n"},
      {"hex", "xxd", "%[%X: %h %h %h %h %h %h %h %h  %w%w\n%]"},
      {"hex", "mac", "%[%x:%x:%x:%x:%x:%x\n%]"},
      {"hex", "ipv6", "%[%h:%h:%h::%h:%h\n%]"},
      {"hex", "backtrace", "%[#%n  0x0000%X%h in %i () at %i.c:%N\n%]"},
      // ------------------------------------------------------------ log
      {"log", "app", "%[%y-%m-%D %t,%0%0%0 %<INFO%|WARN%|ERROR%> [%w.%I] %c\n%]"},
      {"log", "syslog", "%[%<Jan%|Feb%|Mar%> %D %t %w-%n %<sshd%|kernel%|systemd%>[%N]: %c\n%]"},
      {"log", "json", "%[{\"ts\":\"%y-%m-%DT%t.%0%0%0Z\",\"level\":\"%<info%|warn%|error%|debug%>\",\"msg\":\"%c\",\"%i\":%N}\n%]"},
      {"log", "python_traceback", "Traceback (most recent call last):\n%(  File \"/%w/%i.py\", line %N, in %i\n    %i = %i(%i)\n%)%IError: %c\n"},
      {"log", "java_stacktrace", "Exception in thread \"main\" java.lang.%IException: %c\n%[\tat com.%w.%w.%I.%i(%I.java:%N)\n%]"},
      {"log", "diff", "diff --git a/%w/%i.c b/%w/%i.c\n--- a/%w/%i.c\n+++ b/%w/%i.c\n@@ -%N,%n +%N,%n @@\n%[%<+%|-%| %>  %i = %i(%i);\n%]"},
      {"log", "git_log", "commit %K\nAuthor: %F %S <%l%S@%w.com>\nDate:   %<Mon%|Tue%> Mar %D %t %y +0100\n\n    %s\n\n"},
      {"log", "compiler", "%[%w/%i.cc:%N:%n: %<error%|warning%>: %<use of undeclared identifier%|unused variable%|expected ';' before%> '%i'\n%]"},
  };
  return *rows;
}

const std::vector<TopicLeaf>& TopicLeaves() {
  static const auto* rows = new std::vector<TopicLeaf>{
      {"religion", "And|Behold,|Verily|Thus saith the Lord,", "God Lord heaven prayer soul faith church sin grace spirit"},
      {"mathematics", "Let|Suppose|Hence|Therefore|Thus", "theorem lemma proof integer function set group matrix equation prime"},
      {"sports", "Meanwhile|Tonight|In the second half", "team goal season coach player match league score striker championship"},
      {"cooking", "Next|Then|Season with salt and", "butter garlic onion oven sauce pan salt recipe minutes skillet"},
      {"law", "Whereas|Pursuant to this section|Notwithstanding|Hereinafter", "court plaintiff defendant statute contract clause appeal judge liability counsel"},
      {"medicine", "Clinically|In patients|Typically", "patient dose symptoms diagnosis treatment clinic infection therapy tumor blood"},
      {"music", "On the album|Live|Originally", "song album guitar chorus band melody drummer tour chord vocals"},
      {"war", "At dawn|By nightfall|Under fire", "army battalion troops general siege artillery front enemy regiment cavalry"},
      {"computing", "By default|At runtime|Under the hood", "server memory software compiler database kernel network processor cache bug"},
      {"finance", "Quarterly|Analysts expect|Year over year", "market stock shares investor dividend bond revenue earnings inflation portfolio"},
      {"politics", "In parliament|The minister said|On election day", "vote party senator election policy minister campaign government bill voters"},
      {"history", "In the year|Centuries ago|During the reign", "empire king dynasty century treaty revolution kingdom emperor castle crown"},
      {"biology", "In vivo|Within the cell|Evolutionarily", "cell gene protein species enzyme organism membrane tissue evolution neuron"},
      {"physics", "In the limit|Classically|At low temperature", "energy particle momentum field quantum force velocity mass photon wave"},
      {"farming", "In spring|Each autumn|At harvest", "crop soil cattle harvest tractor wheat barn field seed farmer"},
      {"sailing", "At sea|Aboard|By the wind", "ship sail harbor captain deck mast crew anchor tide voyage"},
      {"astronomy", "In the night sky|Observations show|At perihelion", "star planet orbit galaxy telescope comet nebula moon eclipse asteroid"},
      {"chemistry", "In solution|Upon heating|Experimentally", "molecule reaction acid compound electron bond catalyst solvent ion carbon"},
      {"fashion", "This season|On the runway|Designers", "dress silk collection designer fabric runway style jacket cotton model"},
      {"travel", "Upon arrival|From the airport|Off the beaten path", "hotel flight beach museum passport tourist guide island train luggage"},
      {"weather", "By afternoon|Overnight|Forecasters say", "rain storm wind cloud forecast snow temperature humidity thunder frost"},
      {"gardening", "In early spring|Water daily and|Prune", "rose seedling compost garden bulb hedge tulip shovel mulch lawn"},
      {"philosophy", "Arguably|It follows that|In principle", "truth reason mind ethics knowledge virtue argument being logic essence"},
      {"education", "In class|Each semester|Students", "teacher school student lesson exam homework classroom curriculum grade university"},
      {"geology", "Over millennia|Beneath the surface|In the strata", "rock fault magma sediment volcano mineral crust granite erosion basalt"},
      {"architecture", "Above the nave|In the facade|Structurally", "column arch facade roof tower vault dome beam brick balcony"},
      {"film", "In the opening scene|On screen|The director", "film scene actor director camera script studio premiere sequel cinema"},
      {"literature", "In the novel|The poet|In chapter one", "novel poem author chapter verse narrator character plot poet stanza"},
      {"automotive", "Under the hood|On the highway|At full throttle", "engine car wheel brake gearbox fuel driver tire torque sedan"},
      {"aviation", "At cruising altitude|On approach|After takeoff", "aircraft pilot runway wing cockpit altitude jet airport hangar turbine"},
      {"economics", "In equilibrium|At the margin|Empirically", "demand supply price cost wage trade tariff output growth unemployment"},
      {"psychology", "In the study|Participants|Cognitively", "memory emotion behavior anxiety brain perception therapy stimulus mood habit"},
      {"linguistics", "Morphologically|In the dialect|Phonetically", "vowel syntax grammar phoneme dialect morpheme suffix tense consonant lexicon"},
      {"mythology", "In the legend|Long ago|The gods", "dragon hero goddess giant oracle temple quest serpent titan prophecy"},
      {"crime", "Police said|According to the report|Late last night", "suspect police detective murder witness arrest evidence robbery crime victim"},
      {"chess", "After the opening|In the endgame|White plays", "pawn bishop knight rook queen king castling gambit checkmate tempo"},
      {"wine", "On the nose|In the glass|On the palate", "wine vintage grape cellar tannin merlot vineyard cork barrel bouquet"},
      {"space", "In orbit|At liftoff|Mission control reports", "rocket astronaut launch capsule module booster payload satellite crew spacecraft"},
      {"ecology", "In the wild|Across the habitat|Conservationists", "forest species habitat wetland predator ecosystem climate coral drought wildlife"},
      {"pets", "At home|On walks|Every morning", "dog cat puppy leash kitten collar vet paws breed treats"},
      {"real_estate", "On the market|Listed at|Newly renovated", "house apartment mortgage tenant rent bedroom kitchen lease landlord property"},
      {"fitness", "Each rep|During the workout|Warm up and", "muscle workout gym squat cardio protein stretch treadmill reps weights"},
      {"parenting", "At bedtime|As toddlers|Every parent", "baby child toddler diaper nursery sibling crib stroller playground bottle"},
      {"fishing", "At first light|From the pier|Upstream", "trout bait rod reel lake hook river salmon angler net"},
      {"mining", "Underground|At the mine|Miners", "ore shaft coal mine drill tunnel copper gold quarry seam"},
      {"textiles", "On the loom|By hand|In the mill", "wool yarn thread loom weave knit spindle fiber stitch dye"},
      {"insurance", "Under this policy|In the event of a claim|Coverage", "policy premium claim coverage insurer deductible risk accident liability policyholder"},
      {"journalism", "Reporters|Sources say|In an interview", "newspaper editor headline reporter article press story column journalist interview"},
  };
  return *rows;
}

const std::vector<ScriptLeaf>& ScriptLeaves() {
  using R = std::vector<std::pair<uint32_t, uint32_t>>;
  const R latin = {{'a', 'z'}};
  const R cyr = {{0x430, 0x44F}};
  const R hangul = {{0xAC00, 0xD7A3}};
  const R arabic = {{0x0621, 0x063A}, {0x0641, 0x064A}};
  const R hebrew = {{0x05D0, 0x05EA}};
  const R none = {};
  static const auto* rows = new std::vector<ScriptLeaf>{
      // Korean: Hangul syllables; registers differ in their sentence endings.
      {"korean", "formal", hangul, none, 0, "는은이가를을에의", 0.5f, 1, 4, true, "습니다", ".", 0},
      {"korean", "polite", hangul, none, 0, "는은이가를을에의", 0.5f, 1, 4, true, "요", ".", 0},
      {"korean", "plain", hangul, none, 0, "는은이가를을에의", 0.5f, 1, 4, true, "다", ".", 0},
      {"korean", "news", hangul, none, 0, "는은이가를을에의년월일", 0.5f, 1, 4, true, "했다", ".", 0.15f},
      {"korean", "chat", hangul, none, 0, "ㅋㅎㅠㅜ", 0.4f, 1, 3, true, "ㅋㅋ", "!", 0},
      // Arabic script: the paper's rare genre.
      {"arabic", "plain", arabic, none, 0, "ال", 0.3f, 2, 7, true, "", ".", 0},
      {"arabic", "vocalized", arabic, {{0x064B, 0x0652}}, 0.5f, "ال", 0.3f, 2, 6, true, "", ".", 0},
      {"arabic", "persian", arabic, none, 0, "پچژگکی", 0.5f, 2, 7, true, "", ".", 0},
      // Hebrew: plain, with vowel points, Yiddish ligatures.
      {"hebrew", "plain", hebrew, none, 0, "ה", 0.2f, 2, 6, true, "", ".", 0},
      {"hebrew", "niqqud", hebrew, {{0x05B0, 0x05BC}}, 0.6f, "ה", 0.2f, 2, 6, true, "", ".", 0},
      {"hebrew", "yiddish", hebrew, none, 0, "װױײ", 0.5f, 2, 7, true, "", ".", 0},
      // Latin script with each language's diacritics.
      {"latin", "german", latin, none, 0, "äöüß", 0.35f, 3, 11, true, "", ".", 0},
      {"latin", "french", latin, none, 0, "éèêçàù", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "spanish", latin, none, 0, "ñáíóú¿¡", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "portuguese", latin, none, 0, "ãõçáé", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "italian", latin, none, 0, "àèìòù", 0.3f, 2, 9, true, "", ".", 0},
      {"latin", "polish", latin, none, 0, "ąćęłńóśźż", 0.4f, 2, 10, true, "", ".", 0},
      {"latin", "czech", latin, none, 0, "řěščžůýá", 0.4f, 2, 9, true, "", ".", 0},
      {"latin", "turkish", latin, none, 0, "ışğçöüİ", 0.4f, 2, 10, true, "", ".", 0},
      {"latin", "vietnamese", latin, none, 0, "ạảấầẩẫậắơưđ", 0.6f, 1, 4, true, "", ".", 0},
      {"latin", "romanian", latin, none, 0, "șțăâî", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "hungarian", latin, none, 0, "őűáéö", 0.35f, 2, 11, true, "", ".", 0},
      {"latin", "swedish", latin, none, 0, "åäö", 0.3f, 2, 9, true, "", ".", 0},
      {"latin", "danish", latin, none, 0, "æøå", 0.3f, 2, 9, true, "", ".", 0},
      {"latin", "icelandic", latin, none, 0, "þðæáó", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "lithuanian", latin, none, 0, "ąčęėįšųūž", 0.4f, 2, 10, true, "", ".", 0},
      {"latin", "latvian", latin, none, 0, "āčēģīķļņšūž", 0.4f, 2, 10, true, "", ".", 0},
      {"latin", "croatian", latin, none, 0, "čćđšž", 0.35f, 2, 9, true, "", ".", 0},
      {"latin", "esperanto", latin, none, 0, "ĉĝĥĵŝŭ", 0.3f, 2, 9, true, "", ".", 0},
      {"latin", "maltese", latin, none, 0, "ċġħż", 0.3f, 2, 9, true, "", ".", 0},
      {"latin", "welsh", latin, none, 0, "ŵŷâ", 0.25f, 2, 9, true, "", ".", 0},
      {"latin", "pinyin", latin, none, 0, "āáǎàēéěèīǐōǒūǔǜ", 0.7f, 1, 5, true, "", ".", 0},
      {"latin", "yoruba", latin, none, 0, "ẹọṣàáèéòó", 0.5f, 1, 6, true, "", ".", 0},
      // Cyrillic languages, told apart by their own letters.
      {"cyrillic", "russian", cyr, none, 0, "ыэъё", 0.3f, 2, 10, true, "", ".", 0},
      {"cyrillic", "ukrainian", cyr, none, 0, "іїєґ", 0.35f, 2, 10, true, "", ".", 0},
      {"cyrillic", "bulgarian", cyr, none, 0, "ъѝ", 0.3f, 2, 10, true, "", ".", 0},
      {"cyrillic", "serbian", cyr, none, 0, "ђјљњћџ", 0.35f, 2, 9, true, "", ".", 0},
      {"cyrillic", "belarusian", cyr, none, 0, "ўіё", 0.35f, 2, 10, true, "", ".", 0},
      {"cyrillic", "macedonian", cyr, none, 0, "ѓѕќјљњ", 0.35f, 2, 9, true, "", ".", 0},
      {"cyrillic", "kazakh", cyr, none, 0, "әғқңөұүһі", 0.4f, 2, 10, true, "", ".", 0},
      {"cyrillic", "mongolian", cyr, none, 0, "өү", 0.35f, 2, 10, true, "", ".", 0},
      {"cyrillic", "church_slavonic", cyr, none, 0, "ѣѳѵіѡ", 0.35f, 2, 9, true, "", ".", 0},
      // Greek: monotonic, polytonic, capitals.
      {"greek", "modern", {{0x03B1, 0x03C9}}, none, 0, "άέήίόύώ", 0.4f, 2, 10, true, "", ".", 0},
      {"greek", "polytonic", {{0x03B1, 0x03C9}}, none, 0, "ἀἁἐἑἠἡἰὀὐὠᾶῆῖῦῶ", 0.5f, 2, 10, true, "", "·", 0},
      {"greek", "capitals", {{0x0391, 0x03A1}, {0x03A3, 0x03A9}}, none, 0, "ΆΈΉΊΌ", 0.2f, 2, 9, true, "", ".", 0},
      // Brahmic scripts: consonants with vowel signs, each its own block.
      {"indic", "hindi", {{0x0915, 0x0939}}, {{0x093E, 0x094C}}, 0.5f, "्ं", 0.3f, 1, 5, true, "", "।", 0},
      {"indic", "bengali", {{0x0995, 0x09B9}}, {{0x09BE, 0x09CC}}, 0.5f, "্ং", 0.3f, 1, 5, true, "", "।", 0},
      {"indic", "tamil", {{0x0B95, 0x0BB9}}, {{0x0BBE, 0x0BCC}}, 0.5f, "்", 0.4f, 1, 6, true, "", ".", 0},
      {"indic", "telugu", {{0x0C15, 0x0C39}}, {{0x0C3E, 0x0C4C}}, 0.5f, "్ం", 0.3f, 1, 5, true, "", ".", 0},
      {"indic", "marathi", {{0x0915, 0x0939}}, {{0x093E, 0x094C}}, 0.5f, "ळ्", 0.4f, 1, 5, true, "", ".", 0},
      {"indic", "gujarati", {{0x0A95, 0x0AB9}}, {{0x0ABE, 0x0ACC}}, 0.5f, "્ં", 0.3f, 1, 5, true, "", ".", 0},
      {"indic", "kannada", {{0x0C95, 0x0CB9}}, {{0x0CBE, 0x0CCC}}, 0.5f, "್ಂ", 0.3f, 1, 5, true, "", ".", 0},
      {"indic", "malayalam", {{0x0D15, 0x0D39}}, {{0x0D3E, 0x0D4C}}, 0.5f, "്ം", 0.3f, 1, 6, true, "", ".", 0},
      {"indic", "gurmukhi", {{0x0A15, 0x0A39}}, {{0x0A3E, 0x0A4C}}, 0.5f, "ੰਂ", 0.3f, 1, 5, true, "", "।", 0},
      {"indic", "sanskrit", {{0x0915, 0x0939}}, {{0x093E, 0x094C}}, 0.5f, "ःऋ्", 0.5f, 1, 6, true, "", "॥", 0},
      {"indic", "sinhala", {{0x0D9A, 0x0DC6}}, {{0x0DCF, 0x0DDE}}, 0.5f, "්", 0.3f, 1, 5, true, "", ".", 0},
      {"indic", "oriya", {{0x0B15, 0x0B39}}, {{0x0B3E, 0x0B4C}}, 0.5f, "୍ଂ", 0.3f, 1, 5, true, "", "।", 0},
      // Mainland South-East Asian scripts: no spaces between words.
      {"sea", "thai", {{0x0E01, 0x0E2E}}, {{0x0E31, 0x0E3A}, {0x0E47, 0x0E4C}}, 0.4f, "ๆ", 0.05f, 2, 6, false, "", " ", 0},
      {"sea", "lao", {{0x0E81, 0x0EAE}}, {{0x0EB1, 0x0EB9}, {0x0EC8, 0x0ECB}}, 0.4f, "ໆ", 0.05f, 2, 6, false, "", " ", 0},
      {"sea", "khmer", {{0x1780, 0x17A2}}, {{0x17B6, 0x17C5}}, 0.4f, "៖", 0.05f, 2, 6, false, "", "។", 0},
      {"sea", "myanmar", {{0x1000, 0x1021}}, {{0x102B, 0x1038}}, 0.4f, "်", 0.2f, 2, 6, false, "", "။", 0},
      // Han characters and kana, no spaces; each leaf its own characters.
      {"cjk", "chinese_simplified", {{0x4E00, 0x4FFF}}, none, 0, "们这说个来时为们", 0.4f, 1, 3, false, "", "。", 0},
      {"cjk", "japanese", {{0x3041, 0x3093}}, none, 0, "日本人時間学生", 0.3f, 2, 5, false, "です", "。", 0},
      {"cjk", "chinese_traditional", {{0x5000, 0x51FF}}, none, 0, "們這說個來時為", 0.4f, 1, 3, false, "", "。", 0},
      {"cjk", "katakana", {{0x30A1, 0x30F4}}, none, 0, "ー", 0.5f, 2, 6, true, "", "。", 0},
      {"cjk", "cantonese", {{0x5200, 0x53FF}}, none, 0, "嘅咗唔係佢冇", 0.5f, 1, 3, false, "", "。", 0},
      // Emoji: 4-byte sequences.
      {"emoji", "faces", {{0x1F600, 0x1F64F}}, none, 0, "", 0, 1, 3, true, "", "", 0},
      {"emoji", "animals", {{0x1F400, 0x1F43F}}, none, 0, "", 0, 1, 3, true, "", "", 0},
      {"emoji", "food", {{0x1F345, 0x1F37F}}, none, 0, "", 0, 1, 3, true, "", "", 0},
      {"emoji", "flags", {{0x1F1E6, 0x1F1FF}}, none, 0, "", 0, 2, 2, true, "", "", 0},
      {"emoji", "symbols", {{0x2600, 0x26FF}}, none, 0, "", 0, 1, 3, true, "", "", 0},
  };
  return *rows;
}

}  // namespace monosem::corpus_internal
