#include "monosem/report/browser_js.h"

namespace monosem::report {

const char* BrowserJs() {
  return R"JS(
(function(){
var IDX=JSON.parse(document.getElementById('index-data').textContent);
var chunks={},pending={};
function pad(n){var s=String(n);while(s.length<4)s='0'+s;return s;}
function el(tag,text,cls){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;
  if(cls)e.className=cls;return e;}
function fmt(v,d){return v===null||v===undefined?'':Number(v).toPrecision(d||3);}
window.monosemChunk=function(c,units){chunks[c]=units;var cbs=pending[c]||[];delete pending[c];
  cbs.forEach(function(f){f();});};
function loadChunk(c,cb){
  if(chunks[c])return cb();
  if(pending[c]){pending[c].push(cb);return;}
  pending[c]=[cb];
  var s=document.createElement('script');
  s.src='data/chunk_'+pad(c)+'.js';
  s.onerror=function(){window.monosemPageError('cannot load '+s.src);};
  document.head.appendChild(s);
}
var order=IDX.units.map(function(u,i){return i;});
var sortKey='id',sortDir=1;
function key(i,k){var u=IDX.units[i];
  return k==='id'?i:k==='density'?u[0]:k==='specificity'?u[1]:k==='label'?(u[2]<0?'~':IDX.genres[u[2]]):u[3];}
function renderIndex(){
  var tb=document.querySelector('#index tbody'),frag=document.createDocumentFragment();
  order.forEach(function(i){
    var u=IDX.units[i],tr=el('tr');
    var a=el('a',String(i));a.href='#u='+i;tr.appendChild(el('td')).appendChild(a);
    tr.appendChild(el('td',u[0]>0?u[0].toExponential(2):'dead','num'));
    tr.appendChild(el('td',u[0]>0?fmt(u[1],2):'','num'));
    tr.appendChild(el('td',u[2]>=0?IDX.genres[u[2]]:''));
    tr.appendChild(el('td',u[0]>0?fmt(u[3],3):'','num'));
    frag.appendChild(tr);
  });
  tb.textContent='';tb.appendChild(frag);
}
function sortBy(k){
  sortDir=k===sortKey?-sortDir:(k==='id'||k==='label'?1:-1);sortKey=k;
  order.sort(function(a,b){var x=key(a,k),y=key(b,k);return x<y?-sortDir:x>y?sortDir:a-b;});
  renderIndex();
}
function barPlot(title,cats,vals,xLabel,yLabel){
  return {title:title,kind:'bar',xLabel:xLabel,yLabel:yLabel,xLog:false,yLog:false,small:false,
    caption:'',points:vals.length,xRange:[],yRange:[],square:false,categories:cats,lines:[],
    series:[{label:yLabel,x:[],y:vals,style:'bar',dashed:false,color:'#dd8452',shade:[]}]};
}
function effects(title,list){
  var box=el('div');box.appendChild(el('h4',title));
  var t=el('table');list.forEach(function(e){var tr=el('tr');
    tr.appendChild(el('td',e[0],'byte'));tr.appendChild(el('td',fmt(e[1],3),'num'));t.appendChild(tr);});
  box.appendChild(t);return box;
}
function renderUnit(id,u){
  var d=document.getElementById('detail'),s=IDX.units[id];
  d.textContent='';
  d.appendChild(el('h2',IDX.kind+' '+id));
  d.appendChild(el('p',s[0]>0?('density '+s[0].toExponential(2)+' ('+u.fired+' of '+IDX.tokens+
    ' tokens), max activation '+fmt(s[3],3)+', label '+IDX.genres[s[2]]+' (specificity '+fmt(s[1],2)+')')
    :'dead: it never fired on the '+IDX.tokens+' tokens browsed'));
  var cols=el('div',undefined,'cols');d.appendChild(cols);
  if(s[0]>0){
    var cats=u.hist.map(function(c,i){return fmt(s[3]*(i+1)/u.hist.length,2);});
    var h=el('div',undefined,'plot');cols.appendChild(h);
    window.monosemRenderPlot(h,barPlot('activation histogram (nonzero)',cats,u.hist,'activation','tokens'));
    var c=el('div',undefined,'plot');cols.appendChild(c);
    window.monosemRenderPlot(c,barPlot('label composition (tokens it fires on)',
      IDX.genres,u.comp,'genre','tokens'));
  }
  var lg=el('div',undefined,'cols');d.appendChild(lg);
  lg.appendChild(effects('promotes (next byte)',u.up));
  lg.appendChild(effects('suppresses',u.down));
  var nb=el('div');nb.appendChild(el('h4','nearest '+IDX.kind+'s (decoder cosine)'));
  u.near.forEach(function(n){var a=el('a',IDX.kind+' '+n[0]);a.href='#u='+n[0];
    nb.appendChild(a);nb.appendChild(el('span',' '+fmt(n[1],3)+'  '));});
  lg.appendChild(nb);
  d.appendChild(el('h4','top activating contexts (shade: activation / max; outlined: the top token)'));
  u.ctx.forEach(function(c){
    var line=el('div',undefined,'ctx');
    line.appendChild(el('span','['+IDX.genres[c.g]+'] ','genre'));
    c.c.forEach(function(cell,i){var sp=el('span',cell);
      if(c.a[i]>0)sp.style.background='rgba(255,110,0,'+(c.a[i]/100)+')';
      sp.title=fmt(c.a[i]*s[3]/100,3);
      if(i===c.h)sp.className='hot';line.appendChild(sp);});
    d.appendChild(line);
  });
  d.setAttribute('data-unit',String(id));
}
function show(id){
  if(!(id>=0&&id<IDX.units.length)){window.monosemPageError('no '+IDX.kind+' '+id);return;}
  var c=Math.floor(id/IDX.chunk);
  loadChunk(c,function(){renderUnit(id,chunks[c][id-c*IDX.chunk]);});
}
function fromHash(){var m=/u=(\d+)/.exec(location.hash);return m?Number(m[1]):-1;}
document.querySelectorAll('#index th[data-key]').forEach(function(th){
  th.addEventListener('click',function(){sortBy(th.getAttribute('data-key'));});});
window.addEventListener('hashchange',function(){var i=fromHash();if(i>=0)show(i);});
renderIndex();
document.body.setAttribute('data-first-render-ms',performance.now().toFixed(1));
var first=fromHash();
if(first<0){for(var i=0;i<IDX.units.length;i++){if(IDX.units[i][0]>0){first=i;break;}}}
if(first>=0)show(first);
})();
)JS";
}

}  // namespace monosem::report
