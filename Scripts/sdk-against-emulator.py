#!/usr/bin/env python3
"""The official Alibaba Cloud Python SDK (alibabacloud-ice20201109), unmodified, against the mediaform emulator.

    Scripts/sdk-against-emulator.py BINARY

Starts `BINARY emulator` on a free port and calls all seven operations mediaform uses, with V3 signatures (the
SDK's default) and with V1 (signature_algorithm='v2'), over http. Exits 1 on the first failure. Run by
Scripts/test in its venv.
"""
import json
import re
import signal
import subprocess
import sys
import time

from alibabacloud_ice20201109 import models
from alibabacloud_ice20201109.client import Client
from alibabacloud_tea_openapi.models import Config

KEY_ID, SECRET = "EMULATORKEYID", "emulator-secret-not-for-production"


def client(endpoint, algorithm):
    config = Config(access_key_id=KEY_ID, access_key_secret=SECRET, endpoint=endpoint, protocol="http", region_id="cn-shanghai")
    if algorithm:
        config.signature_algorithm = algorithm
    return Client(config)


def exercise(c, label):
    suffix = label.replace(" ", "-")
    uploaded = c.upload_media_by_url(models.UploadMediaByURLRequest(
        upload_urls=f"https%3A%2F%2Fmedia.example.com%2F{suffix}%2Fa%20b.mp4,https%3A%2F%2Fmedia.example.com%2F{suffix}%2Fc.mp3",
        media_meta_data=f'[{{"SourceURL":"https%3A%2F%2Fmedia.example.com%2F{suffix}%2Fa%20b.mp4","Title":"季度回顾 / Q1","Tags":"a,b"}}]',
        app_id="app-1000000", user_data='{"Extend":{"from":"sdk"}}')).body
    jobs = uploaded.upload_jobs
    assert len(jobs) == 2, uploaded
    infos = c.get_url_upload_infos(models.GetUrlUploadInfosRequest(job_ids=",".join(j.job_id for j in jobs))).body
    assert len(infos.urlupload_info_list) == 2, infos
    by_url = c.get_url_upload_infos(models.GetUrlUploadInfosRequest(upload_urls=f"https%3A%2F%2Fmedia.example.com%2F{suffix}%2Fc.mp3")).body
    assert len(by_url.urlupload_info_list) == 1, by_url
    media_id = jobs[0].media_id
    c.update_media_info(models.UpdateMediaInfoRequest(media_id=media_id, title="New title", media_tags="x,y", cate_id=12))
    info = c.get_media_info(models.GetMediaInfoRequest(media_id=media_id)).body.media_info.media_basic_info
    assert info.title == "New title" and info.media_tags == "x,y", info
    batch = c.batch_get_media_infos(models.BatchGetMediaInfosRequest(media_ids=f"{media_id},missing")).body
    assert len(batch.media_infos) == 1 and batch.ignored_list == ["missing"], batch
    listed = c.list_media_basic_infos(models.ListMediaBasicInfosRequest(max_results=1)).body
    assert len(listed.media_infos) == 1 and listed.next_token, listed
    deleted = c.delete_media_infos(models.DeleteMediaInfosRequest(media_ids=f"{media_id},missing")).body
    assert deleted.ignored_list == ["missing"], deleted
    print(f"sdk-against-emulator: {label}: all seven operations answered as IMS would")
    exercise_categories(c, label)


def exercise_categories(c, label):
    """The four category operations, paging through SubCategories, and media left in a deleted category."""
    top = c.add_category(models.AddCategoryRequest(cate_name=f"Courses {label}", type="default")).body.category
    assert top.cate_id and top.cate_name == f"Courses {label}" and top.level == 0, top
    children = [c.add_category(models.AddCategoryRequest(cate_name=f"Part {i:02d}", parent_id=top.cate_id)).body.category
                for i in range(12)]
    assert all(child.parent_id == top.cate_id and child.level == 1 for child in children), children
    page1 = c.get_categories(models.GetCategoriesRequest(cate_id=top.cate_id, page_no=1, page_size=10)).body
    page2 = c.get_categories(models.GetCategoriesRequest(cate_id=top.cate_id, page_no=2, page_size=10)).body
    assert page1.category.cate_id == top.cate_id and page1.sub_total == 12, page1
    names = [x.cate_name for x in page1.sub_categories.category + page2.sub_categories.category]
    assert names == [f"Part {i:02d}" for i in range(12)], names
    roots = c.get_categories(models.GetCategoriesRequest(page_size=100)).body
    assert top.cate_id in [x.cate_id for x in roots.sub_categories.category], roots
    c.update_category(models.UpdateCategoryRequest(cate_id=children[0].cate_id, cate_name="Renamed"))
    page1 = c.get_categories(models.GetCategoriesRequest(cate_id=top.cate_id, page_size=10)).body
    assert page1.sub_categories.category[0].cate_name == "Renamed", page1
    url = "https%3A%2F%2Fmedia.example.com%2Fcat-" + label.replace(" ", "-") + ".mp4"
    meta = json.dumps([{"SourceURL": url, "Title": "t", "CateId": children[1].cate_id}])
    media = c.upload_media_by_url(models.UploadMediaByURLRequest(upload_urls=url, media_meta_data=meta)).body.upload_jobs[0].media_id
    c.delete_category(models.DeleteCategoryRequest(cate_id=top.cate_id))
    try:
        c.get_categories(models.GetCategoriesRequest(cate_id=children[1].cate_id, page_size=10))
        raise AssertionError("a child of a deleted category is still there")
    except Exception as error:  # noqa: BLE001 - the SDK raises its own exception type
        assert "NotFound" in str(error), error
    info = c.get_media_info(models.GetMediaInfoRequest(media_id=media)).body.media_info.media_basic_info
    assert info.cate_id == children[1].cate_id, info
    print(f"sdk-against-emulator: {label}: AddCategory, UpdateCategory, DeleteCategory, GetCategories (paged) as IMS would")


def main():
    emulator = subprocess.Popen([sys.argv[1], "emulator", "--port", "0", "--process-delay", "100ms"], stdout=subprocess.PIPE, text=True)
    try:
        endpoint = re.search(r"http://(127\.0\.0\.1:\d+)", emulator.stdout.readline()).group(1)
        exercise(client(endpoint, None), "V3")
        exercise(client(endpoint, "v2"), "V1 signature")
        try:
            bad = Client(Config(access_key_id=KEY_ID, access_key_secret="wrong", endpoint=endpoint, protocol="http", region_id="cn-shanghai"))
            bad.get_url_upload_infos(models.GetUrlUploadInfosRequest(job_ids="j"))
            raise AssertionError("a wrong secret was accepted")
        except Exception as error:  # noqa: BLE001 - the SDK raises its own exception type
            assert "SignatureDoesNotMatch" in str(error), error
        print("sdk-against-emulator: a wrong secret gets SignatureDoesNotMatch")
        return 0
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
