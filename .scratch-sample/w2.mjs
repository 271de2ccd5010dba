import gdal from 'gdal-async';
import proj4 from 'proj4';
const f='/work/shared/data/real/raster/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif';
const src = await gdal.openAsync(f);
console.log(src.bands.get(1).overviews.count(), src.bands.get(1).getMetadata());
const utm='+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs';
async function hist(x0,y0,size,res,ovr,r){
  const n=Math.round(size/res);
  const out = await gdal.warpAsync('lc', null, [src], ['-of','MEM','-t_srs','EPSG:32632','-te',x0,y0,x0+size,y0+size,'-ts',n,n,'-r',r,'-ovr',ovr,'-dstnodata','0'].map(String));
  const px = await out.bands.get(1).pixels.readAsync(0,0,n,n);
  const h=new Float64Array(256); for (const v of px) h[v]++; 
  let valid=0; for(let i=1;i<256;i++) valid+=h[i];
  const s={}; for(let i=1;i<256;i++) if(h[i]) s[i]=h[i]/valid; return {s, nodata:h[0]/px.length};
}
function l1(a,b){let d=0; const k=new Set([...Object.keys(a),...Object.keys(b)]); for(const c of k) d+=Math.abs((a[c]||0)-(b[c]||0)); return d;}
for (const [lon,lat,size] of [[6.72,0.30,5000],[6.70,0.20,10000],[7.40,1.60,5000],[6.50,0.10,5000],[7.38,1.55,2500]]) {
  const [x,y]=proj4('EPSG:4326',utm,[lon,lat]); const x0=Math.round(x/10)*10, y0=Math.round(y/10)*10;
  const full=await hist(x0,y0,size,10,'NONE','near');
  const out=[];
  for (const r of ['near','mode']) for (const res of [40,80,160]) { const h=await hist(x0,y0,size,res,'AUTO',r); out.push(`${r}${res}:${l1(h.s,full.s).toFixed(4)}`); }
  console.log(lon,lat,size, JSON.stringify(Object.fromEntries(Object.entries(full.s).map(([k,v])=>[k,+v.toFixed(3)]))), full.nodata.toFixed(3), out.join(' '));
}
